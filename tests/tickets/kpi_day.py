"""Test support: a small hand-countable hour of calls through the app's own webhooks, projected
onto tickets, whose every KPI the tests work out by hand (see the expected figures there).

18:00 A  billing, ana free, answers after 10 s, talks 180 s, survey 5; ticket solved at
         wrap-up, resolved on first contact
18:10 B  billing, ana busy: holds, hangs up after 40 s
18:20 C  billing, ana answers after 30 s, talks 120 s, survey 2
18:30 D  hangs up at the main menu
18:40 E  presses 0 at the main menu (routed to a person), then hangs up
18:50 F  asks for a callback in the technical menu; called back at 18:55, talks 60 s with jo
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from core.clock import FixedClock
from queues.queue_store import QueueStore
from tests.ivr_app import ADMIN_TOKEN, NOW
from tests.queues.conftest import put_on_shift
from tests.tickets.journeys import answer, ask_for_callback, dial_callback, end_callback, menu_call
from tests.tickets.test_projection import drain
from tests.twilio_requests import TwilioCall
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

START = NOW + timedelta(hours=3)  # 18:00 UTC, 10 in the morning for the 415 callers
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
WRONG_CHARGE = ("1", "1", "1")


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def play_hour(app: Flask, projector: Projector, store: TicketStore, clock: FixedClock) -> None:
    app.extensions[EXTENSION] = store
    redis = app.extensions["hotline"].redis
    put_on_shift(redis, "ana", "L1", ["billing"], NOW.timestamp())
    put_on_shift(redis, "jo", "L1", ["internet"], NOW.timestamp())
    clock.set(at(0))
    a = _answered(app, clock, "+14155550001", ring=10, talk="180", score="5")
    clock.set(at(5))
    drain(projector)
    solved = app.test_client().patch(f"/api/v1/tickets/{_ticket(store, a)}", headers=AUTH,
                                     json={"status": "solved", "resolved_first_contact": True})
    assert solved.status_code == 200, solved.get_json()
    clock.set(at(10))
    _abandoned_on_hold(app, clock, "+14155550002", after=40)
    clock.set(at(20))
    _answered(app, clock, "+14155550003", ring=30, talk="120", score="2")
    clock.set(at(30))
    menu_call(app, "+14155550004", "1")
    clock.set(at(40))
    menu_call(app, "+14155550005", "1", "0")
    clock.set(at(50))
    ask_for_callback(app, "+14155550006", "my internet keeps dropping every evening")
    drain(projector)
    clock.set(at(55))
    callback, customer, bridged = dial_callback(app, "+14155550006")
    end_callback(customer, callback, answer(customer, bridged), talked="60")
    drain(projector)


def _answered(app: Flask, clock: FixedClock, caller: str, ring: int, talk: str,
              score: str) -> TwilioCall:
    """A billing caller whom ana answers `ring` seconds after the call reaches her."""
    call = menu_call(app, caller, *WRONG_CHARGE, hang_up=False)
    entered = call.post("/queues/enter", call.form())
    clock.set(clock.now() + timedelta(seconds=ring))
    heard = answer(call, entered)
    after = call.post(heard.dialed, call.form(DialCallStatus="completed", DialCallDuration=talk))
    survey = call.post(after.action(), call.form())
    call.post(survey.action(), call.form(Digits=score))
    call.hang_up()
    _free(app)
    return call


def _abandoned_on_hold(app: Flask, clock: FixedClock, caller: str, after: int) -> None:
    redis = app.extensions["hotline"].redis
    assert QueueStore(redis).claim_agent("CA-other-caller", "L1", ["billing"]) == "ana"
    call = menu_call(app, caller, *WRONG_CHARGE, hang_up=False)
    entered = call.post("/queues/enter", call.form())
    assert entered.xml.find("Enqueue") is not None, entered.body
    clock.set(clock.now() + timedelta(seconds=after))
    call.post("/queues/left", call.form(QueueResult="hangup", QueueTime=str(after)))
    call.hang_up()
    _free(app)


def _free(app: Flask) -> None:
    d = app.extensions["hotline"]
    now = d.clock.now().timestamp()
    QueueStore(d.redis).finish("ana", "CA-other-caller", now)
    QueueStore(d.redis).set_status("ana", "available", now)


def _ticket(store: TicketStore, call: TwilioCall) -> int:
    found = store.ticket_id_for_call(call.sid)
    if found is None:
        raise AssertionError(f"no ticket for {call.sid}")
    return found
