"""Twilio replays status callbacks (its retries) and delivers them out of order (they travel
independently): every one is answered 200, none moves a call or a callback backwards, and
none is recorded twice."""

from __future__ import annotations

from pathlib import Path

import redis
from flask import Flask

from callbacks.jobs import runtime
from callbacks.record import State
from core.clock import FixedClock
from tests.callbacks.test_answer_webhooks import started_attempt
from tests.ivr_app import NOW, call_events, make_app
from tests.twilio_requests import TwilioCall
from tickets_bridge.projector import Projector
from tickets_bridge.schema import open_engine, upgrade
from tickets_bridge.store import TicketStore


def routed_call(app: Flask) -> TwilioCall:
    call = TwilioCall(app.test_client())
    call.start_menu()
    call.press("1")  # English
    call.press("2")  # technical support
    routed = call.press("1")  # internet down: routed to its line
    assert routed.action().startswith("/queues/enter"), routed.body
    return call


def test_replayed_and_reordered_call_statuses_end_the_call_once(
    redis_url: str, tmp_path: Path,
) -> None:
    app = make_app(redis_url)
    call = routed_call(app)
    completed = call.form(CallStatus="completed", CallDuration="42")
    replies = [
        call.post("/voice/status", completed, idempotency="retry-of-completed"),
        call.post("/voice/status", completed, idempotency="retry-of-completed"),  # replay
        call.post("/voice/status", completed),  # the same status, sent again anew
        call.post("/voice/status", call.form(CallStatus="in-progress")),  # late
        call.post("/voice/status", call.form(CallStatus="ringing")),  # later still
        call.post("/voice/status", call.form(CallStatus="no-answer")),  # contradicts
    ]
    assert [r.status for r in replies] == [200] * len(replies)
    events = call_events(app, call.sid)
    ended = [e for e in events if e.get("event") == "ended"]
    assert len(ended) == 1 and ended[0].get("status", "completed") == "completed", ended

    engine = open_engine(f"sqlite:///{tmp_path / 'tickets.db'}")
    upgrade(engine)
    deps = app.extensions["hotline"]
    store = TicketStore(engine)
    projector = Projector(deps.redis, store, deps.sessions, FixedClock(NOW))
    projector.ensure_group()
    while projector.project_once("faults"):
        pass
    ticket_id = store.ticket_id_for_call(call.sid)
    assert ticket_id is not None
    ticket = store.get(ticket_id)
    assert ticket is not None
    texts = [entry["text"] for entry in ticket.to_dict()["transcript"]]
    assert texts.count("Call ended") == 1, texts
    engine.dispose()


def test_replayed_and_reordered_callback_statuses_complete_the_callback_once(
    redis_url: str, redis_client: redis.Redis,
) -> None:
    phone, attempt, deps = started_attempt(redis_url, "ana")
    status = f"/callbacks/status?attempt={attempt}"
    answered = phone.post(f"/callbacks/answer?attempt={attempt}", phone.form(AnsweredBy="human"))
    assert answered.status == 200
    replies = [
        phone.post(status, phone.form(CallStatus="completed", CallDuration="60")),
        phone.post(status, phone.form(CallStatus="completed", CallDuration="60")),  # replay
        phone.post(status, phone.form(CallStatus="initiated")),  # arrives last
        phone.post(status, phone.form(CallStatus="ringing")),
        phone.post(status, phone.form(CallStatus="in-progress")),
        phone.post(status, phone.form(CallStatus="busy")),  # contradicts
    ]
    assert [r.status for r in replies] == [200] * len(replies)
    store = runtime(deps.settings, deps.redis, deps.clock).store
    record = store.get("cb1")
    assert record is not None and record.state is State.COMPLETED, record
    assert record.attempts == 1
    log = [entry["text"] for entry in store.log("cb1")]
    assert sum(text.startswith("Callback answered") for text in log) == 1, log
    assert sum(text == "Callback call ended" for text in log) == 1, log
    assert not any("ringing" in text.lower() for text in log), log
