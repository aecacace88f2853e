"""One story per caller: every leg of a call joins its ticket (an answered callback too), a call
about another issue opens its own ticket linked to the caller's other open ones, and the agent
who takes a callback or a repeat call sees and hears what the caller said before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from core.clock import FixedClock as Clock
from ivr.caller_facts import add_vip, remove_vip
from queues.queue_store import QueueStore
from tests.ivr_app import ADMIN_TOKEN, NOW
from tests.queues.conftest import put_on_shift
from tests.signing_in import sign_in
from tests.tickets.journeys import (
    answer,
    ask_for_callback,
    dial_callback,
    end_callback,
    menu_call,
)
from tests.tickets.test_projection import billing_call, drain
from tests.twilio_requests import PUBLIC_URL, TwilioCall
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CALLER = "+14155550123"
MORNING = NOW + timedelta(hours=3)  # 10 in the morning for a 415 caller: callbacks may go out


@pytest.fixture(autouse=True)
def _serve_tickets(app: Flask, store: TicketStore) -> None:
    app.extensions[EXTENSION] = store


def test_an_answered_callback_joins_the_original_ticket_and_its_agent_hears_and_sees_it(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock
) -> None:
    clock.set(MORNING)
    put_on_shift(app.extensions["hotline"].redis, "jo", "L1", ["internet"], NOW.timestamp())
    first = ask_for_callback(app, CALLER, "my internet keeps dropping every evening")
    drain(projector)
    ticket_id = store.ticket_id_for_call(first.sid)
    assert ticket_id is not None

    callback, customer, bridged = dial_callback(app, CALLER)
    agent = answer(customer, bridged)
    assert agent.agent == "jo"
    assert f"Ticket {ticket_id}." in agent.whisper
    assert "This is the callback they asked for." in agent.whisper
    assert "In their words: my internet keeps dropping every evening." in agent.whisper
    assert "keypad only" not in agent.whisper and "english" not in agent.whisper
    assert agent.locale == "en-US"
    # The bridge has not seen the callback's leg yet: the screen-pop is the original ticket.
    popped = app.test_client().get("/api/v1/agents/jo/screen-pop", headers=AUTH).get_json()
    assert popped["id"] == ticket_id
    assert popped["subject"] == "technical/callback: my internet keeps dropping every evening"
    said = [e["text"] for e in popped["transcript"] if e["kind"] == "speech"]
    assert "my internet keeps dropping every evening" in said

    drain(projector)
    popped = app.test_client().get("/api/v1/agents/jo/screen-pop", headers=AUTH).get_json()
    assert popped["id"] == ticket_id
    end_callback(customer, callback, agent)
    drain(projector)
    assert store.ticket_id_for_call(customer.sid) == ticket_id
    [ticket] = store.for_phone(CALLER)  # no second, empty ticket for the callback's leg
    data = ticket.to_dict()
    assert (data["issue"], data["priority"], data["assignee"]) == (
        "technical/callback", "normal", "jo")
    assert [(c["call_sid"], c["kind"]) for c in data["calls"]] == [
        (first.sid, "inbound"), (customer.sid, "callback")]
    [kept] = data["callbacks"]
    assert (kept["id"], kept["state"], kept["attempts"]) == (callback.id, "completed", 1)
    assert kept["due_at"] == "2026-11-24T18:00:00.000Z"
    agents = [e for e in data["transcript"] if e["kind"] == "agent"]
    assert [e.get("state") for e in agents] == ["ringing", "connected", "ended"]
    assert all(e["call_sid"] == customer.sid for e in agents)


def technical_call(app: Flask, words: str = "1") -> TwilioCall:
    """English, technical support, then the internet's problem said in `words` (or keyed)."""
    return menu_call(app, CALLER, "1", "2", words)


def test_a_call_about_another_issue_opens_its_own_ticket_linked_to_the_open_one(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock
) -> None:
    dispute = billing_call(app)
    drain(projector)
    clock.set(NOW + timedelta(hours=1))
    internet = technical_call(app)
    drain(projector)
    first, second = store.ticket_id_for_call(dispute.sid), store.ticket_id_for_call(internet.sid)
    assert first is not None and second is not None and first != second
    client = app.test_client()
    older = client.get(f"/api/v1/tickets/{first}", headers=AUTH).get_json()
    newer = client.get(f"/api/v1/tickets/{second}", headers=AUTH).get_json()
    assert (older["issue"], newer["issue"]) == ("billing/dispute", "technical/internet")
    assert [t["id"] for t in newer["linked_tickets"]] == [first]
    assert [t["id"] for t in older["linked_tickets"]] == [second]
    assert newer["linked_tickets"][0]["issue"] == "billing/dispute"
    open_tickets = app.extensions["hotline"].redis.hgetall(
        f"hotline:caller:{CALLER}:open-tickets")
    assert sorted(open_tickets) == [b"billing/dispute", b"technical/internet"]


def test_a_repeat_call_never_lowers_the_priority_nor_moves_the_sla_later(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock
) -> None:
    redis = app.extensions["hotline"].redis
    add_vip(redis, CALLER)  # high, and urgent words make it urgent
    urgent = technical_call(app, "internet is down, this is urgent")
    drain(projector)
    remove_vip(redis, CALLER)
    ticket_id = store.ticket_id_for_call(urgent.sid)
    before = store.get(ticket_id or 0)
    assert before is not None and before.priority == "urgent"
    clock.set(NOW + timedelta(days=1))
    again = technical_call(app)  # the keypad only: normal, but a repeat call raises it to high
    drain(projector)
    assert store.ticket_id_for_call(again.sid) == ticket_id
    after = store.get(ticket_id or 0)
    assert after is not None and after.priority == "urgent"
    assert after.sla_first_response_due == before.sla_first_response_due
    assert after.sla_resolution_due == before.sla_resolution_due
    assert after.subject == "technical/internet: internet is down, this is urgent"


def test_a_repeat_caller_s_agent_hears_what_they_said_on_the_earlier_call(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock
) -> None:
    put_on_shift(app.extensions["hotline"].redis, "kim", "L2", ["internet"], NOW.timestamp())
    first = technical_call(app, "internet is down since the storm")
    drain(projector)
    ticket_id = store.ticket_id_for_call(first.sid)
    clock.set(NOW + timedelta(hours=3))
    again = menu_call(app, CALLER, "1", "2", "1", hang_up=False)
    heard = answer(again, again.post("/queues/enter", again.form()))
    popped = app.test_client().get("/api/v1/agents/kim/screen-pop", headers=AUTH).get_json()
    assert popped["id"] == ticket_id  # before the bridge has seen this call
    assert "The caller has called about this before." in heard.whisper
    assert "Earlier they said: internet is down since the storm." in heard.whisper
    assert "This time they used the keypad only." in heard.whisper


def test_the_whisper_says_which_language_the_caller_speaks(
    app: Flask, projector: Projector
) -> None:
    put_on_shift(app.extensions["hotline"].redis, "kim", "L2", ["internet"], NOW.timestamp())
    call = menu_call(app, CALLER, "2", "2", "sin internet", hang_up=False)  # español
    heard = answer(call, call.post("/queues/enter", call.form()))
    assert heard.locale == "en-US"
    assert "The caller speaks Spanish." in heard.whisper
    assert "In their words: sin internet." in heard.whisper


def test_the_end_of_a_talk_says_how_long_it_really_was(app: Flask) -> None:
    put_on_shift(app.extensions["hotline"].redis, "ana", "L1", ["billing"], NOW.timestamp())
    texts = []
    for duration in ("0", "1", "95", ""):
        call = menu_call(app, CALLER, "1", "1", "1", hang_up=False)
        heard = answer(call, call.post("/queues/enter", call.form()))
        call.post(heard.dialed, call.form(DialCallStatus="completed",
                                          DialCallDuration=duration))
        texts += [e["text"] for e in app.extensions["hotline"].sessions.events(call.sid)
                  if e.get("state") == "ended"]
        call.hang_up()
        QueueStore(app.extensions["hotline"].redis).set_status("ana", "available",
                                                               NOW.timestamp())
    assert texts == ["Call with agent ana ended after less than a second",
                     "Call with agent ana ended after 1 s",
                     "Call with agent ana ended after 95 s",
                     "Call with agent ana ended"]


def test_the_agent_page_lists_only_earlier_tickets_and_the_linked_open_ones_apart(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock
) -> None:
    old = billing_call(app)
    drain(projector)
    client = app.test_client()
    client.patch(f"/api/v1/tickets/{store.ticket_id_for_call(old.sid)}", headers=AUTH,
                 json={"status": "solved"})
    clock.set(NOW + timedelta(days=1))
    middle = technical_call(app)
    drain(projector)
    clock.set(NOW + timedelta(days=2))
    latest = billing_call(app)
    drain(projector)
    ids = [store.ticket_id_for_call(c.sid) for c in (old, middle, latest)]
    assert len(set(ids)) == 3
    assert sign_in(client, ADMIN_TOKEN).status_code == 302
    page = client.get(f"/agent/tickets/{ids[1]}").get_data(as_text=True)
    earlier = page.split('id="earlier"')[1].split("</ul>")[0]
    linked = page.split('id="linked"')[1].split("</ul>")[0]
    assert f"#{ids[0]}" in earlier and f"#{ids[2]}" not in earlier
    assert f"#{ids[2]}" in linked and f"#{ids[0]}" not in linked
    newest = client.get(f"/agent/tickets/{ids[2]}").get_data(as_text=True)
    earlier = newest.split('id="earlier"')[1].split("</ul>")[0]
    assert earlier.index(f"#{ids[1]}") < earlier.index(f"#{ids[0]}")  # newest first


def test_another_issue_in_the_same_category_is_its_own_ticket_yet_counts_as_a_repeat(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock
) -> None:
    dispute = billing_call(app)
    drain(projector)
    clock.set(NOW + timedelta(hours=2))
    message = menu_call(app, CALLER, "1", "1", hang_up=False)
    record = message.press("2").xml.find("Record")  # leave a message: billing/other
    assert record is not None
    message.post((record.get("action") or "").removeprefix(PUBLIC_URL), message.form(
        RecordingSid="RE" + "a" * 32, RecordingUrl="https://api.twilio.com/rec/RE1",
        RecordingDuration="12"))
    message.hang_up()
    drain(projector)
    first, second = store.ticket_id_for_call(dispute.sid), store.ticket_id_for_call(message.sid)
    assert first != second
    kept = store.get(first or 0)
    assert kept is not None and (kept.issue, kept.priority) == ("billing/dispute", "normal")
    assert [c["call_sid"] for c in kept.calls] == [dispute.sid]
    routing = app.extensions["hotline"].sessions.load(message.sid).routing
    # Calling again about billing raises the priority, as a repeat call does...
    assert routing.reasons == ("repeat_call",) and routing.priority == "high"
    assert routing.ticket is None  # ...but the dispute's ticket is not this call's
    other = store.get(second or 0)
    assert other is not None and other.issue == "billing/other"
    assert [t["id"] for t in other.to_dict()["linked_tickets"]] == [first]
    [recording] = other.to_dict()["recordings"]
    assert (recording["recording_sid"], recording["duration"]) == ("RE" + "a" * 32, 12)
    assert recording["call_sid"] == message.sid


def test_a_callback_leg_projected_before_its_repeat_call_joins_that_call_s_ticket(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock
) -> None:
    # Two bridges racing: the leg's events reach the store before its call's decision, which
    # moves that call onto the caller's open ticket about the same issue.
    clock.set(MORNING)
    put_on_shift(app.extensions["hotline"].redis, "jo", "L1", ["internet"], NOW.timestamp())
    earlier = ask_for_callback(app, CALLER, "my internet keeps dropping every evening")
    callback, customer, bridged = dial_callback(app, CALLER)
    end_callback(customer, callback, answer(customer, bridged))
    drain(projector)
    clock.set(MORNING + timedelta(hours=1))
    put_on_shift(app.extensions["hotline"].redis, "lee", "L1", ["internet"], NOW.timestamp())
    again = ask_for_callback(app, CALLER, "the internet dropped again")
    callback, customer, bridged = dial_callback(app, CALLER)
    agent = answer(customer, bridged)
    popped = app.test_client().get("/api/v1/agents/jo/screen-pop", headers=AUTH)
    assert popped.status_code == 404  # nothing of this call projected: the page waits
    sessions = app.extensions["hotline"].sessions
    projector.project_call(customer.sid, 0, len(sessions.events(customer.sid)))
    drain(projector)
    end_callback(customer, callback, agent)
    drain(projector)
    [ticket] = store.for_phone(CALLER)
    assert agent.agent == "lee" and ticket.assignee == "lee"
    assert ticket.issue == "technical/callback"
    assert [c["call_sid"] for c in ticket.calls if c["kind"] == "inbound"] == [
        earlier.sid, again.sid]
    assert len([c for c in ticket.calls if c["kind"] == "callback"]) == 2
