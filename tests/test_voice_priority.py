"""Priority from the tree's rules and caller facts: VIP, repeat call, outage, urgent words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis
from flask import Flask

from core.clock import FixedClock
from core.routing import Routing
from core.session import SessionStore
from ivr import caller_facts
from tests.ivr_app import make_app
from tests.twilio_requests import TwilioCall

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def route_to_billing_dispute(app: Flask, caller: str = "+14155550123",
                             words: str | None = None) -> Routing:
    call = TwilioCall(app.test_client(), caller=caller)
    call.start()
    call.press("1")
    call.press("1")
    if words:
        call.say(words)
    else:
        call.press("1")
    sessions: SessionStore = app.extensions["hotline"].sessions
    session = sessions.load(call.sid)
    assert session is not None and session.routing is not None
    return session.routing


def test_ordinary_caller_gets_the_default_priority(redis_url: str) -> None:
    routing = route_to_billing_dispute(make_app(redis_url))
    assert (routing.priority, routing.reasons) == ("normal", ())


def test_vip_caller_gets_high_priority(redis_url: str, redis_client: redis.Redis) -> None:
    caller_facts.add_vip(redis_client, "+14155550123")
    routing = route_to_billing_dispute(make_app(redis_url))
    assert (routing.priority, routing.reasons) == ("high", ("vip",))


def test_repeat_call_within_the_window_is_raised(redis_url: str) -> None:
    clock = FixedClock(NOW)
    app = make_app(redis_url, clock=clock)
    assert route_to_billing_dispute(app).priority == "normal"
    clock.set(NOW + timedelta(hours=23))
    second = route_to_billing_dispute(app)
    assert (second.priority, second.reasons) == ("high", ("repeat_call",))


def test_call_after_the_window_is_not_a_repeat(redis_url: str) -> None:
    clock = FixedClock(NOW)
    app = make_app(redis_url, clock=clock)
    route_to_billing_dispute(app)
    clock.set(NOW + timedelta(hours=25))
    assert route_to_billing_dispute(app).priority == "normal"


def test_other_issue_is_not_a_repeat(redis_url: str) -> None:
    app = make_app(redis_url)
    route_to_billing_dispute(app)
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.press("2")
    call.press("1")
    routing = app.extensions["hotline"].sessions.load(call.sid).routing
    assert routing.issue == "technical/internet" and routing.priority == "normal"


def test_outage_flag_raises_priority_and_is_announced(
    redis_url: str, redis_client: redis.Redis
) -> None:
    caller_facts.set_outage(redis_client, "billing", "Our billing system is down until 6pm.")
    app = make_app(redis_url)
    call = TwilioCall(app.test_client())
    call.start()
    assert call.press("1").says()[0] == "Our billing system is down until 6pm."
    routing = route_to_billing_dispute(app, caller="+14155550999")
    assert (routing.priority, routing.reasons) == ("high", ("outage",))


def test_outage_of_another_category_changes_nothing(
    redis_url: str, redis_client: redis.Redis
) -> None:
    caller_facts.set_outage(redis_client, "technical", "Internet outage in the north.")
    assert route_to_billing_dispute(make_app(redis_url)).priority == "normal"


def test_urgent_words_raise_priority(redis_url: str) -> None:
    routing = route_to_billing_dispute(make_app(redis_url),
                                        words="this is urgent my invoice is wrong")
    assert (routing.priority, routing.reasons) == ("high", ("urgent_words",))


def test_facts_add_up_and_stop_at_the_top_level(
    redis_url: str, redis_client: redis.Redis
) -> None:
    caller_facts.add_vip(redis_client, "+14155550123")
    caller_facts.set_outage(redis_client, "*", "Everything is down.")
    routing = route_to_billing_dispute(make_app(redis_url),
                                        words="emergency my invoice is wrong")
    assert routing.priority == "urgent"
    assert routing.reasons == ("vip", "urgent_words")
