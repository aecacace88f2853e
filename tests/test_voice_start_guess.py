"""An incoming call starts in one round trip on what the previous one found (the active menu,
no outage); when that has changed meanwhile, the call still starts on what Redis holds now."""

from __future__ import annotations

import redis

from core import keys
from ivr import caller_facts
from tests.ivr_app import SMALL_MENU, make_app
from tests.twilio_requests import TwilioCall


def test_an_outage_declared_after_the_last_call_is_announced_to_the_next(
    redis_url: str, redis_client: redis.Redis
) -> None:
    app = make_app(redis_url)
    assert "down" not in " ".join(TwilioCall(app.test_client()).start().says())
    caller_facts.set_outage(redis_client, "billing", "Our billing system is down until 6pm.")
    # The notice follows the language question, once the caller's language is known; the
    # language key is decided without a read only while no outage is flagged.
    call = TwilioCall(app.test_client())
    call.start()
    assert call.press("1").says()[0] == "Our billing system is down until 6pm."
    caller_facts.clear_outage(redis_client, "billing")
    call = TwilioCall(app.test_client())
    assert "down" not in " ".join(call.start().says() + call.press("1").says())


def test_a_menu_published_after_the_last_call_serves_the_next(
    redis_url: str, redis_client: redis.Redis
) -> None:
    app, other = make_app(redis_url), make_app(redis_url)
    TwilioCall(app.test_client()).start()
    renamed = SMALL_MENU.read_text().replace("Test support line", "Renamed support line")
    published = other.extensions["hotline.menus"].publish(renamed)
    call = TwilioCall(app.test_client())
    call.start()
    assert redis_client.hget(keys.call(call.sid), "menu_version") == published.version.encode()


def test_a_retried_incoming_call_is_answered_once(
    redis_url: str, redis_client: redis.Redis
) -> None:
    app = make_app(redis_url)
    TwilioCall(app.test_client()).start()
    call = TwilioCall(app.test_client())
    form = call.form(CallStatus="ringing")
    first = call.post("/voice/incoming", form, idempotency="same")
    again = call.post("/voice/incoming", form, idempotency="same")
    assert first == again
    assert redis_client.llen(keys.call_events(call.sid)) == len(first.says()) + 1
