"""The ticket's context reaches the agent: the whisper names the ticket and the caller's words,
the agent's screen-pop (API and page) shows the ticket of the call routed to them, and a repeat
caller about the same issue reaches the agent who had their ticket when that agent is free."""

from __future__ import annotations

from flask import Flask

from core.access import Role
from tests.ivr_app import ADMIN_TOKEN
from tests.queues.conftest import put_on_shift
from tests.signing_in import issue_token
from tests.tickets.test_agent_page import browser_page, serving
from tests.tickets.test_projection import drain
from tests.twilio_requests import PUBLIC_URL, Reply, TwilioCall
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
T0 = 1_700_000_000.0


def routed_billing_call(app: Flask, words: str) -> tuple[TwilioCall, Reply]:
    call = TwilioCall(app.test_client())
    call.start_menu()
    call.press("1")
    call.say(words)
    call.press("1")
    return call, call.post("/queues/enter", call.form())


def answer(call: TwilioCall, reply: Reply) -> tuple[str, str]:
    """The agent answers: which agent was dialled, and the whisper they heard."""
    dial = reply.xml.find("Dial")
    assert dial is not None, reply.body
    agent = dial.find("Client")
    assert agent is not None and agent.text
    whisper = call.post(agent.get("url", "")[len(PUBLIC_URL):], call.form(CallSid="CA-leg"))
    return agent.text, whisper.says()[0]


def test_a_repeat_caller_reaches_the_agent_of_their_ticket_who_hears_its_number(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    app.extensions[EXTENSION] = store
    redis = app.extensions["hotline"].redis
    put_on_shift(redis, "eve", "L1", ["billing"], T0)
    first, reply = routed_billing_call(app, "my invoice is wrong")
    assert answer(first, reply)[0] == "eve"
    first.hang_up()
    drain(projector)
    ticket_id = store.ticket_id_for_call(first.sid)
    ticket = store.get(ticket_id or 0)
    assert ticket is not None and ticket.assignee == "eve"
    # Next day: ana has been idle far longer, but the caller's ticket is eve's.
    redis.hset("hotline:agent:eve", mapping={"status": "offline", "call": ""})
    put_on_shift(redis, "ana", "L1", ["billing"], T0 - 3600)
    put_on_shift(redis, "eve", "L1", ["billing"], T0 + 100)
    again, reply = routed_billing_call(app, "my bill is wrong again, the refund never came")
    agent, whisper = answer(again, reply)
    assert agent == "eve"
    assert f"Ticket {ticket_id}." in whisper
    assert "The caller has called about this before." in whisper
    assert "In their words: my bill is wrong again, the refund never came." in whisper
    drain(projector)
    assert store.ticket_id_for_call(again.sid) == ticket_id  # the same ticket, not a new one


def test_the_agent_sets_their_status_on_the_page_and_it_pops_the_routed_callers_ticket(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    app.extensions[EXTENSION] = store
    redis = app.extensions["hotline"].redis
    put_on_shift(redis, "eve", "L1", ["billing"], T0)
    redis.hset("hotline:agent:eve", "status", "offline")
    redis.zrem("hotline:agents:available", "eve")
    token = issue_token(app, Role.AGENT, "eve")
    with serving(app) as base, browser_page() as page:
        page.goto(f"{base}/agent/current")
        page.fill("#token", token)
        page.click("#sign-in")
        assert page.inner_text("#who") == "eve"
        assert page.inner_text("#status") == "offline"
        page.click("button[value=available]")
        assert page.inner_text("#status") == "available"
        call, reply = routed_billing_call(app, "my bill: I was charged twice")
        assert answer(call, reply)[0] == "eve"
        drain(projector)
        page.goto(f"{base}/agent/current")
        assert page.url.endswith(f"/agent/tickets/{store.ticket_id_for_call(call.sid)}")
        assert page.inner_text("#status") == "busy"
        assert page.inner_text("#issue") == "billing/dispute"
        rows = page.locator("#transcript tbody tr").all_inner_texts()
        assert any("I was charged twice" in row for row in rows)
        assert any("Agent eve answered and heard" in row for row in rows)
