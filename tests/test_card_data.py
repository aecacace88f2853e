"""Card numbers (Luhn-checked), expiry dates and security codes never reach a stored event,
a ticket or a log line as they were said; everything else is left alone."""

from __future__ import annotations

import io
import logging

import pytest
from flask import Flask

from core.card_data import luhn_valid, mask
from hotline.logs import JsonLines
from tests.ivr_app import call_events, make_app
from tests.twilio_requests import TwilioCall


@pytest.mark.parametrize(("said", "kept"), [
    ("4111 1111 1111 1111", "************1111"),
    ("my card is 4111-1111-1111-1111 thanks", "my card is ************1111 thanks"),
    ("5500000000000004", "************0004"),
    ("amex 378282246310005", "amex ***********0005"),
    ("expires 12/27", "expires **/**"),
    ("exp 03 / 2028", "exp **/**"),
    ("the cvv is 123", "the cvv is ***"),
    ("Security code: 4321", "Security code: ***"),
    ("código de seguridad 987", "código de seguridad ***"),
])
def test_card_data_is_masked_the_same_way_every_time(said: str, kept: str) -> None:
    assert mask(said) == kept
    assert mask(said) == mask(said)


@pytest.mark.parametrize("said", [
    "4111 1111 1111 1112",  # fails the Luhn check: not a card number
    "+14155550123",  # a phone number
    "call CA" + "4111111111111111" + "ab",  # a SID with a digit run inside
    "order 12345 on 2026-11-24, room 13, since 11/24/2026",
    "my account number is 123456",
])
def test_what_is_not_card_data_is_left_alone(said: str) -> None:
    assert mask(said) == said


@pytest.fixture
def app(redis_url: str) -> Flask:
    return make_app(redis_url)


def test_luhn() -> None:
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")


def test_a_card_number_said_in_the_menu_is_stored_masked(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    call.say("my card 4111 1111 1111 1111 expiring 12/27 was charged twice")
    stored = str(call_events(app, call.sid))
    assert "4111 1111" not in stored and "12/27" not in stored
    assert "************1111 expiring **/** was charged twice" in stored


def test_log_lines_are_masked() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonLines())
    log = logging.getLogger("test.card")
    log.addHandler(handler)
    try:
        log.warning("caller said 4111111111111111 cvv 123")
    finally:
        log.removeHandler(handler)
    assert "4111111111111111" not in out.getvalue()
    assert "************1111 cvv ***" in out.getvalue()
