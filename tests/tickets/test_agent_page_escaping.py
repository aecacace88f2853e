"""What a caller says is shown on the agent page as text, never run as the page's own markup."""

from __future__ import annotations

from flask import Flask

from tests.ivr_app import ADMIN_TOKEN
from tests.signing_in import sign_in
from tests.tickets.test_projection import drain
from tests.twilio_requests import TwilioCall
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> my invoice is wrong'


def test_a_callers_words_with_markup_are_escaped_on_the_ticket_page(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    app.extensions[EXTENSION] = store
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.say(HOSTILE, confidence="0.9")
    call.hang_up()
    drain(projector)
    ticket_id = store.ticket_id_for_call(call.sid)
    assert ticket_id is not None
    agent = app.test_client()
    signed_in = sign_in(agent, ADMIN_TOKEN)
    assert signed_in.status_code == 302
    page = agent.get(f"/agent/tickets/{ticket_id}").get_data(as_text=True)
    assert "my invoice is wrong" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
