"""The ticket store (PostgreSQL) unreachable for a while under a running `hotline bridge`:
calls go on, their events wait in the Redis stream, and once the store answers again every
call reaches its ticket, once, with nothing lost or told twice."""

from __future__ import annotations

import subprocess
from pathlib import Path

import redis
from sqlalchemy import Engine, make_url

from core import keys
from tests.faults import services
from tests.faults.standins import TcpRelay, relaying
from tests.ivr_app import make_app
from tests.processes import pid_alive, wait_for
from tests.twilio_requests import TwilioCall
from tickets_bridge.projector import GROUP
from tickets_bridge.store import TicketStore

CALLS = 6


def ended_call(app_client: object, n: int) -> TwilioCall:
    call = TwilioCall(app_client, caller=f"+1415555{n:04d}")  # type: ignore[arg-type]
    call.start_menu()
    call.press("1")
    call.press("2")
    call.press("1")  # routed to the internet-down line
    assert call.hang_up().status == 200
    return call


def told_once(store: TicketStore, call: TwilioCall) -> bool:
    ticket_id = store.ticket_id_for_call(call.sid)
    ticket = store.get(ticket_id) if ticket_id is not None else None
    return ticket is not None and "Call ended" in [e["text"] for e in
                                                   ticket.to_dict()["transcript"]]


def waiting_in_stream(client: redis.Redis) -> int:
    return int(client.xpending(keys.call_event_stream(), GROUP)["pending"])


def test_events_wait_while_the_ticket_store_is_down_and_arrive_once_after(
    redis_url: str, redis_client: redis.Redis, postgres_tickets: Engine, tmp_path: Path,
) -> None:
    engine = postgres_tickets
    url = make_url(engine.url.render_as_string(hide_password=False))
    store = TicketStore(engine)
    app = make_app(redis_url)
    with relaying((url.host or "127.0.0.1", url.port or 5432)) as relay:
        relayed = url.set(host="127.0.0.1", port=relay.port)
        bridge = services.start("bridge", redis_url, tmp_path / "var",
                                DATABASE_URL=relayed.render_as_string(hide_password=False))
        try:
            _outage(app.test_client(), store, redis_client, relay, bridge)
        finally:
            services.stop(bridge)


def _outage(client: object, store: TicketStore, redis_client: redis.Redis, relay: TcpRelay,
            bridge: subprocess.Popen[bytes]) -> None:
    before = ended_call(client, 0)
    wait_for(lambda: told_once(store, before), "the bridge to project the first call")

    relay.cut()
    during = [ended_call(client, n) for n in range(1, CALLS)]
    wait_for(lambda: relay.refused > 0 and waiting_in_stream(redis_client) > 0,
             "the bridge to try the unreachable store and keep the events")
    assert pid_alive(bridge.pid), "the bridge died with the store down"
    assert not any(store.ticket_id_for_call(c.sid) for c in during)

    relay.restore()
    wait_for(lambda: all(told_once(store, c) for c in during),
             "every call's events to reach its ticket once the store is back")
    wait_for(lambda: waiting_in_stream(redis_client) == 0, "the stream to be acknowledged")
    tickets = {store.ticket_id_for_call(c.sid) for c in [before, *during]}
    assert len(tickets) == CALLS
    for ticket_id in tickets:
        ticket = store.get(ticket_id or 0)
        assert ticket is not None
        texts = [e["text"] for e in ticket.to_dict()["transcript"]]
        assert texts.count("Call started") == 1 and texts.count("Call ended") == 1, texts
