"""Every call becomes a ticket with its transcript, exactly once, whatever replays or races."""

from __future__ import annotations

import threading
from datetime import timedelta

import redis
from flask import Flask

from core.clock import FixedClock
from tests.ivr_app import NOW
from tests.twilio_requests import TwilioCall
from tickets_bridge.projector import GROUP, Projector
from tickets_bridge.store import TicketStore


def billing_call(app: Flask, caller: str = "+14155550123") -> TwilioCall:
    call = TwilioCall(app.test_client(), caller=caller)
    call.start_menu()
    call.press("1")
    call.say("my invoice is wrong", confidence="0.88")  # routed at once: the words name the leaf
    call.hang_up()
    return call


def drain(projector: Projector, consumer: str = "test") -> int:
    total = 0
    while done := projector.project_once(consumer):
        total += done
    return total


def test_a_call_becomes_one_ticket_with_its_whole_transcript(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    call = billing_call(app)
    drain(projector)
    ticket_id = store.ticket_id_for_call(call.sid)
    assert ticket_id is not None
    ticket = store.get(ticket_id)
    assert ticket is not None
    data = ticket.to_dict()
    assert (data["phone"], data["issue"], data["priority"], data["tier"], data["queue"]) == (
        "+14155550123", "billing/dispute", "normal", "L1", "billing")
    assert data["status"] == "new" and data["tags"] == ["billing"]
    assert data["subject"] == "billing/dispute: my invoice is wrong"
    assert [(e["kind"], e["text"]) for e in data["transcript"]] == [
        (e["kind"], e["text"]) for e in app.extensions["hotline"].sessions.events(call.sid)]
    kinds = [e["kind"] for e in data["transcript"]]
    assert kinds[:4] == ["call", "prompt", "prompt", "dtmf"]
    assert "speech" in kinds and "decision" in kinds and kinds[-1] == "call"
    speech = next(e for e in data["transcript"] if e["kind"] == "speech")
    assert speech["confidence"] == 0.88 and speech["text"] == "my invoice is wrong"
    assert data["calls"][0]["call_sid"] == call.sid
    assert data["sla"]["first_response_due"] == "2026-11-24T19:00:00.000Z"


def test_a_nul_character_in_the_callers_words_does_not_cost_the_ticket(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    # PostgreSQL refuses NUL in text; one such event must not block every call projected with it.
    garbled = TwilioCall(app.test_client(), caller="+14155550123")
    garbled.start_menu()
    garbled.press("1")
    garbled.say("my invoice\x00 is wrong", confidence="0.7")
    garbled.hang_up()
    other = billing_call(app, caller="+14155550199")
    drain(projector)
    tickets = {sid: store.ticket_id_for_call(sid) for sid in (garbled.sid, other.sid)}
    assert None not in tickets.values()
    ticket = store.get(tickets[garbled.sid] or 0)
    assert ticket is not None
    speech = next(e for e in ticket.to_dict()["transcript"] if e["kind"] == "speech")
    assert speech["text"] == "my invoice\ufffd is wrong"


def test_a_caller_who_hangs_up_in_the_menu_still_has_a_ticket_with_an_issue(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    call = TwilioCall(app.test_client())
    call.start_menu()
    call.press("1")
    call.hang_up()
    deeper = TwilioCall(app.test_client(), caller="+14155550199")
    deeper.start_menu()
    deeper.press("1")
    deeper.say("a question about my bill", confidence="0.8")  # names billing, then hangs up
    deeper.hang_up()
    drain(projector)
    ticket = store.get(store.ticket_id_for_call(call.sid) or 0)
    assert ticket is not None and ticket.status == "new"
    assert (ticket.issue, ticket.priority, ticket.tags) == ("general", "", ["abandoned-in-menu"])
    assert ticket.transcript[-1]["text"] == "Caller hung up in the menu at 'main'"
    billing = store.get(store.ticket_id_for_call(deeper.sid) or 0)
    assert billing is not None and billing.issue == "billing"
    assert billing.subject == "billing: a question about my bill"


def test_replaying_the_whole_stream_adds_nothing(
    app: Flask, projector: Projector, store: TicketStore, redis_client: redis.Redis
) -> None:
    call = billing_call(app)
    drain(projector)
    before = store.get(store.ticket_id_for_call(call.sid) or 0)
    redis_client.xgroup_setid("hotline:call-events", GROUP, "0")
    assert drain(projector) > 0
    after = store.get(store.ticket_id_for_call(call.sid) or 0)
    assert before is not None and after is not None
    assert after.transcript == before.transcript
    assert len(store.for_phone("+14155550123")) == 1


def test_two_projectors_racing_make_one_ticket_per_call(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock
) -> None:
    calls = [billing_call(app, caller=f"+1415555{n:04d}") for n in range(6)]
    workers = [threading.Thread(target=drain, args=(projector, f"worker-{n}")) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    # A second full pass, as a crashed-and-restarted worker would make.
    projector.redis.xgroup_setid("hotline:call-events", GROUP, "0")
    drain(projector, "late")
    for call in calls:
        tickets = store.for_phone(call.caller)
        assert len(tickets) == 1
        seqs = [e["text"] for e in tickets[0].transcript]
        assert len(seqs) == len(app.extensions["hotline"].sessions.events(call.sid))


def test_entries_left_pending_by_a_dead_consumer_are_taken_over(
    app: Flask, store: TicketStore, clock: FixedClock
) -> None:
    deps = app.extensions["hotline"]
    dying = Projector(deps.redis, store, deps.sessions, clock)
    dying.ensure_group()
    call = billing_call(app)
    deps.redis.xreadgroup(GROUP, "dead", {"hotline:call-events": ">"}, count=1000)
    heir = Projector(deps.redis, store, deps.sessions, clock, claim_idle_ms=0)
    assert heir.project_once("heir") > 0
    assert store.ticket_id_for_call(call.sid) is not None
    assert deps.redis.xpending("hotline:call-events", GROUP)["pending"] == 0


def test_a_repeat_call_about_the_same_issue_joins_the_open_ticket(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock
) -> None:
    first = billing_call(app)
    drain(projector)
    clock.set(NOW + timedelta(days=2))
    second = billing_call(app)
    drain(projector)
    ticket_id = store.ticket_id_for_call(first.sid)
    assert ticket_id is not None and store.ticket_id_for_call(second.sid) == ticket_id
    ticket = store.get(ticket_id)
    assert ticket is not None
    assert [c["call_sid"] for c in ticket.calls] == [first.sid, second.sid]
    assert len(store.for_phone(first.caller)) == 1
    routing = app.extensions["hotline"].sessions.load(second.sid).routing
    assert routing.ticket == ticket_id
    assert "repeat-call" in ticket.tags


def test_another_issue_or_a_call_after_the_window_opens_a_new_ticket(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock
) -> None:
    billing_call(app)
    call = TwilioCall(app.test_client())
    call.start_menu()
    call.press("1")
    call.press("2")
    call.press("1")
    drain(projector)
    assert len(store.for_phone(call.caller)) == 2
    clock.set(NOW + timedelta(days=8))
    billing_call(app)
    drain(projector)
    assert len(store.for_phone(call.caller)) == 3


def test_after_a_talk_with_an_agent_the_survey_answer_lands_on_the_ticket(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    from tests.queues.conftest import put_on_shift

    put_on_shift(app.extensions["hotline"].redis, "ana", "L1", ["billing"], 1_700_000_000.0)
    call = TwilioCall(app.test_client())
    call.start_menu()
    call.press("1")
    call.press("1")
    call.press("1")
    dial = call.post("/queues/enter", call.form()).xml.find("Dial")
    assert dial is not None
    ended = call.post(dial.get("action", "")[len("http://hotline.test"):],
                      call.form(DialCallStatus="completed", DialCallDuration="95"))
    asked = call.post(ended.action(), call.form())
    assert asked.says() == ["How did we do? Press 1 to 5."]
    survey_path = asked.action()
    again = call.post(survey_path, call.form(Digits="9"))
    assert again.says() == ["How did we do? Press 1 to 5."]
    thanked = call.post(again.action(), call.form(Digits="4"))
    assert thanked.says() == ["Thanks for your answer."]
    assert thanked.xml.find("Hangup") is not None
    call.hang_up()
    drain(projector)
    ticket = store.get(store.ticket_id_for_call(call.sid) or 0)
    assert ticket is not None and ticket.csat == 4
    assert any(e["text"] == "Satisfaction survey: 4 of 5" for e in ticket.transcript)


def test_a_caller_who_hangs_up_in_the_queue_gets_no_survey(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    call.start_menu()
    call.press("0")
    left = call.post("/voice/after-queue", call.form(QueueResult="hangup"))
    assert left.says() == [] and left.xml.find("Gather") is None


def test_a_caller_who_hangs_up_in_a_menu_of_their_open_ticket_s_issue_joins_it(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock
) -> None:
    call = TwilioCall(app.test_client())
    call.start_menu()
    call.press("1")
    call.press("1")
    call.hang_up()  # at the billing menu: issue billing, a ticket of its own
    drain(projector)
    clock.set(NOW + timedelta(hours=1))
    again = TwilioCall(app.test_client())
    again.start_menu()
    again.press("1")
    again.press("1")
    again.hang_up()
    drain(projector)
    [ticket] = store.for_phone(call.caller)
    assert ticket.issue == "billing" and len(ticket.calls) == 2
