"""The simulator's texts, as `hotline sms` uses them: what Hotline texted the caller on the
simulated network, and a text sent to Hotline with its reply."""

from __future__ import annotations

import dataclasses

from flask import Flask

from core.deps import Dependencies
from core.settings import CallbackSettings
from core.telephony import SimulatedTelephony
from simulator.texting import send_text, texts_sent_to
from simulator.transports import FlaskTransport
from tests.ivr_app import ADMIN_TOKEN, make_app
from tests.tickets.journeys import ask_for_callback
from tests.twilio_requests import AUTH_TOKEN, CALLED, PUBLIC_URL

CALLER = "+14155550123"


def test_the_simulator_shows_the_confirmation_and_texts_cancel(redis_url: str) -> None:
    app: Flask = make_app(redis_url, callbacks=CallbackSettings(sms=True))
    d: Dependencies = app.extensions["hotline"]
    app.extensions["hotline"] = dataclasses.replace(d, telephony=SimulatedTelephony(d.redis))
    ask_for_callback(app, CALLER, "my internet keeps dropping")
    transport = FlaskTransport(app.test_client(), PUBLIC_URL)

    [confirmation] = texts_sent_to(transport, PUBLIC_URL, ADMIN_TOKEN, CALLER) or []
    assert confirmation["from"] == CALLED
    assert confirmation["body"].endswith("Reply CANCEL to cancel it or LATER to move it.")
    assert texts_sent_to(transport, PUBLIC_URL, ADMIN_TOKEN, CALLER) == []  # shown once
    assert send_text(transport, PUBLIC_URL, AUTH_TOKEN, CALLER, CALLED, "CANCEL") == [
        "Your callback is cancelled. Call us any time."]
