"""The whole journey: a caller asks for a callback (in the menu, or from the hold queue), hangs
up, and is called back once, for the right kind of agent, with the ticket showing every step."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from flask import Flask
from rq import Queue

from callbacks import dialer, jobs
from callbacks.record import State
from callbacks.store import CallbackStore
from core import keys
from core.clock import FixedClock
from core.deps import Dependencies
from core.telephony import TwilioTelephony
from queues.queue_store import QueueStore
from tests.callbacks.support import available
from tests.ivr_app import ADMIN_TOKEN, make_app
from tests.twilio_requests import TwilioCall
from tests.twilio_rest import RecordingHttpClient
from tickets_bridge.projector import Projector
from tickets_bridge.schema import open_engine, upgrade
from tickets_bridge.store import TicketStore

MORNING = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # 10 in the morning for a 415 caller


def ask_for_callback(app: Flask, origin: str) -> TwilioCall:
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.press("2")
    if origin == "menu":
        call.next_path = call.press("3").action()  # "call me back" in the technical menu
    else:
        call.press("1")  # routed to the tech queue; pressed 1 while holding
        call.next_path = "/callbacks/offer?from=hold"
    call.next_path = call.post(call.next_path, call.form()).action()
    call.press("1")  # as soon as an agent is free
    call.press("1")  # on my caller ID
    call.press("1")  # confirmed
    call.hang_up()
    return call


@pytest.mark.parametrize("origin", ["menu", "hold"])
def test_a_caller_is_called_back_once_by_the_right_agent_and_the_ticket_shows_it(
    redis_url: str, redis_client: redis.Redis, twilio_api: str, tmp_path: Path, origin: str,
) -> None:
    app = make_app(redis_url, FixedClock(MORNING), twilio_api_base_url=twilio_api)
    deps: Dependencies = app.extensions["hotline"]
    available(redis_client, "lee", "L3", ["billing"], MORNING.timestamp() - 600)  # wrong skill
    # Tier too low for the hold path's L2 decision, longest idle for the menu path's L1.
    available(redis_client, "jo", "L1", ["internet"], MORNING.timestamp() - 300)
    available(redis_client, "kim", "L2", ["internet"], MORNING.timestamp() - 60)
    call = ask_for_callback(app, origin)
    [callback] = CallbackStore(redis_client).for_phone(call.caller)

    # The worker's runtime; its REST client copes with Prism's array gap (tests/twilio_rest.py).
    telephony = TwilioTelephony(deps.settings.twilio_account_sid, "token",
                                http_client=RecordingHttpClient(twilio_api))
    rt = jobs.runtime(deps.settings, redis_client, deps.clock, telephony)
    assert dialer.due(rt, callback.id).startswith("placed")
    assert dialer.due(rt, callback.id) == "nothing to do"
    dialling = rt.store.get(callback.id)
    expected = "jo" if origin == "menu" else "kim"  # the longest idle eligible agent
    assert dialling is not None and dialling.agent == expected

    customer = TwilioCall(app.test_client(), caller=call.caller)
    attempt = dialling.attempt
    for status in ("initiated", "ringing"):
        customer.post(f"/callbacks/status?attempt={attempt}", customer.form(CallStatus=status))
    answered = customer.post(f"/callbacks/answer?attempt={attempt}",
                             customer.form(AnsweredBy="human"))
    assert answered.action() == f"/queues/connect?agent={expected}"
    topic = "Callback" if origin == "menu" else "Internet down"  # the option's label
    assert f"callback you asked for about {topic}. Connecting" in " ".join(answered.says())
    # The queues side bridges the answered call to the reserved agent, with the whisper.
    bridged = customer.post(answered.action(), customer.form())
    dial = bridged.xml.find("Dial")
    assert dial is not None and (dial.findtext("Client") or "").strip() == expected
    held = QueueStore(redis_client).assignment(customer.sid)
    assert held is not None and held.agent == expected
    customer.post(f"/callbacks/status?attempt={attempt}",
                  customer.form(CallStatus="completed", CallDuration="200"))

    done = rt.store.get(callback.id)
    assert done is not None and done.state is State.COMPLETED and done.attempts == 1
    assert redis_client.zcard(keys.callbacks_placed()) == 1  # one REST call in all

    engine = open_engine(f"sqlite:///{tmp_path / 'tickets.db'}")
    upgrade(engine)
    tickets = TicketStore(engine)
    projector = Projector(redis_client, tickets, deps.sessions, deps.clock)
    projector.ensure_group()
    while projector.project_once("test"):
        pass
    ticket_id = tickets.ticket_id_for_call(call.sid)
    assert ticket_id is not None
    ticket = tickets.get(ticket_id)
    assert ticket is not None
    entries = [e["text"] for e in ticket.to_dict()["transcript"] if e["kind"] == "callback"]
    assert entries == [
        f"Callback promised as soon as an agent is free to {call.caller}",
        f"Callback attempt 1: dialling {call.caller} for agent {expected}",
        f"Callback attempt 1 placed to {call.caller}",
        "Callback ringing",
        f"Callback answered by a person; connecting to agent {expected}",
        "Callback call ended",
    ]
    engine.dispose()


def test_pressing_1_on_hold_keeps_the_place_and_the_freed_agent_calls_back(
    redis_url: str, redis_client: redis.Redis, twilio_api: str,
) -> None:
    """Through the queues side's own webhooks: hold, press 1, leave, promise; the agent who
    frees up gets the callback (by the agent_ready job), which is dialled for them."""
    app = make_app(redis_url, FixedClock(MORNING), twilio_api_base_url=twilio_api)
    deps: Dependencies = app.extensions["hotline"]
    queues = QueueStore(redis_client)
    available(redis_client, "kim", "L2", ["internet"], MORNING.timestamp() - 60)
    assert queues.claim_agent("CA" + "9" * 32, "L2", ["internet"]) == "kim"  # kim is busy
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.press("2")
    call.press("1")  # internet down: tech, L2
    held = call.post("/queues/enter", call.form())
    assert held.xml.find("Enqueue") is not None
    assert call.post("/queues/hold-key", call.form(Digits="1")).xml.find("Leave") is not None
    left = call.post("/queues/left", call.form(QueueResult="leave", QueueTime="40"))
    assert left.action().startswith("/callbacks/offer?from=hold&s=")
    call.next_path = call.post(left.action(), call.form()).action()
    call.press("1")
    call.press("1")
    call.press("1")
    call.hang_up()
    [callback] = CallbackStore(redis_client).for_phone(call.caller)
    session = deps.sessions.load(call.sid)
    assert session is not None and session.routing is not None
    assert callback.arrived_at == session.routing.queued_at  # the place in line is kept

    telephony = TwilioTelephony(deps.settings.twilio_account_sid, "token",
                                http_client=RecordingHttpClient(twilio_api))
    rt = jobs.runtime(deps.settings, redis_client, deps.clock, telephony)
    assert dialer.due(rt, callback.id) == "waiting for an agent"
    assert queues.finish("kim", "CA" + "9" * 32, MORNING.timestamp()) is True
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    freed = app.test_client().post("/api/v1/agents/kim/status", headers=auth,
                                   json={"status": "available"})
    assert freed.status_code == 200, freed.get_json()
    [job] = [j for j in Queue("hotline", connection=redis_client).get_jobs()
             if j.func_name == "callbacks.jobs.agent_ready"]
    assert job.args == (callback.id, "kim")
    assert dialer.agent_ready(rt, *job.args).startswith("placed")
    dialling = rt.store.get(callback.id)
    assert dialling is not None and dialling.agent == "kim" and dialling.attempts == 1
