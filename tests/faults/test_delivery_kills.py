"""A `hotline worker` SIGKILLed (with its work horse) while it waits for the helpdesk to answer
a ticket's first change, under a real `hotline bridge` on the PostgreSQL ticket store: once a
new worker runs, the ticket's lock has expired and the bridge has swept, the helpdesk has every
change of the ticket, in order, and sees each once by its idempotency key; the caller, who
calls again meanwhile, never gets a 5xx.

Whether the killed request had reached the helpdesk, Hotline cannot tell: when it had, the
same change is sent again with the same idempotency key, which the receiver drops (its
contract, see `WebhookBridge`); that is the only repeat there is.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.callbacks.test_kill import kill_with_work_horse
from tests.faults import services
from tests.faults.test_ticket_store_outage import ended_call, told_once
from tests.ivr_app import make_app
from tests.processes import wait_for
from tests.tickets.receiver import SECRET, Receiver, running
from tickets_bridge.models import OutboxRow
from tickets_bridge.store import TicketStore

SHORT = {"HOTLINE_HELPDESK_TIMEOUT": "4", "HOTLINE_DELIVERY_LOCK_SECONDS": "5",
         "HOTLINE_DELIVERY_SWEEP_SECONDS": "1"}
"""Durations short enough for a test (the defaults: 10 s, 30 s and 60 s)."""


def outbox(engine: Engine) -> list[OutboxRow]:
    with Session(engine) as db:
        return list(db.scalars(select(OutboxRow).order_by(OutboxRow.id)))


@pytest.mark.parametrize("fault", ["stall", "hang"],
                         ids=["killed before the helpdesk took it", "killed after it took it"])
def test_a_worker_killed_mid_delivery_leaves_every_change_delivered_once(
    redis_url: str, redis_client: redis.Redis, postgres_tickets: Engine, tmp_path: Path,
    fault: str,
) -> None:
    tickets = postgres_tickets
    receiver = Receiver(script=[fault], stall_seconds=60)
    app = make_app(redis_url)
    store = TicketStore(tickets)
    with running(receiver):
        env = {"DATABASE_URL": tickets.url.render_as_string(hide_password=False),
               "HOTLINE_HELPDESK_WEBHOOK_URL": receiver.url,
               "HOTLINE_HELPDESK_WEBHOOK_SECRET": SECRET, **SHORT}
        bridge = services.start("bridge", redis_url, tmp_path / "bridge", **env)
        first = services.start("worker", redis_url, tmp_path / "first", **env)
        workers = []
        try:
            call = ended_call(app.test_client(), 0)
            wait_for(lambda: receiver.received == 1, "the worker to be inside its request")
            kill_with_work_horse(first.pid)
            first.wait()
            again = ended_call(app.test_client(), 0)  # the caller calls again meanwhile
            wait_for(lambda: told_once(store, again), "the bridge to project the second call")
            workers.append(services.start("worker", redis_url, tmp_path / "second", **env))
            wait_for(lambda: all(row.delivered_at for row in outbox(tickets)),
                     "the new worker to deliver what the killed one had not")
        finally:
            services.stop(*workers, bridge)
            first.kill()
    ticket_id = store.ticket_id_for_call(call.sid)
    assert ticket_id is not None and store.ticket_id_for_call(again.sid) == ticket_id
    sent = [row.idempotency_key for row in outbox(tickets) if row.payload]
    assert receiver.keys() == sent, "a change was lost or came out of order"
    assert sent[0] == f"created:{ticket_id}"
    repeats = {key: n for key, n in Counter(i["id"] for i in receiver.accepted).items() if n > 1}
    assert repeats == ({f"created:{ticket_id}": 2} if fault == "hang" else {})
    ticket = store.get(ticket_id)
    assert ticket is not None
    # Every entry of both calls, each once (the test app's clock is fixed, so the store's
    # order among them is not the calls' order).
    assert Counter(helpdesk_transcript(receiver)) == Counter(
        (e["kind"], e["text"]) for e in ticket.to_dict()["transcript"])
    assert receiver.bad_signatures == 0


def helpdesk_transcript(receiver: Receiver) -> list[tuple[str, str]]:
    """The transcript as a receiver that drops repeated ids shows it."""
    first = {item["id"]: item for item in reversed(receiver.accepted)}
    changes = [first[key] for key in receiver.keys()]
    entries = [entry for change in changes if change["type"] == "ticket.created"
               for entry in change["data"]["transcript"]]
    entries += [change["data"] for change in changes if change["type"] == "transcript.appended"]
    return [(entry["kind"], entry["text"]) for entry in entries]
