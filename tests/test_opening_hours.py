"""Opening hours in the tree's own time zone, across daylight-saving changes and holidays, and
the after-hours route a call takes instead of a queue while the contact centre is closed."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest
import yaml
from flask import Flask

from core.clock import FixedClock
from core.hours import parse_days, parse_range
from core.opening_hours import OpeningHours
from tests.ivr_app import SMALL_MENU, make_app
from tests.twilio_requests import TwilioCall

NEW_YORK = OpeningHours("America/New_York", time(8), time(20), (0, 1, 2, 3, 4), "US")


def test_open_from_8_to_8_new_york_time_on_both_sides_of_a_clock_change() -> None:
    # 2026-11-02 (Monday) is after the change to EST (UTC-5); 2026-10-26 is still EDT (UTC-4).
    assert NEW_YORK.is_open(datetime(2026, 11, 2, 13, 0, tzinfo=UTC))  # 08:00 EST
    assert not NEW_YORK.is_open(datetime(2026, 11, 2, 12, 59, tzinfo=UTC))  # 07:59 EST
    assert NEW_YORK.is_open(datetime(2026, 10, 26, 12, 0, tzinfo=UTC))  # 08:00 EDT
    assert not NEW_YORK.is_open(datetime(2026, 10, 27, 0, 0, tzinfo=UTC))  # 20:00 EDT


def test_closed_at_weekends_and_on_public_holidays() -> None:
    assert not NEW_YORK.is_open(datetime(2026, 11, 28, 15, 0, tzinfo=UTC))  # Saturday
    assert not NEW_YORK.is_open(datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # Thanksgiving
    assert NEW_YORK.is_open(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))


def test_ranges_and_days_are_read_as_written() -> None:
    assert parse_range("00:00-24:00")[1] > time(23, 59)
    assert parse_days("fri-mon") == (0, 4, 5, 6)
    assert parse_days("mon-fri,sun") == (0, 1, 2, 3, 4, 6)
    with pytest.raises(ValueError):
        parse_range("09:00-09:00")


def _app_with_hours(redis_url: str, tmp_path: Path, at: datetime,
                    opens: str = "08:00-20:00") -> Flask:
    tree = yaml.safe_load(SMALL_MENU.read_text())
    tree["hours"] = {"timezone": "America/New_York", "open": opens, "days": "mon-fri",
                     "holidays": "US"}
    tree["after_hours"] = {"callback": {"message": {
        "en": "We are closed now. We can call you back when we open.",
        "es": "Ahora estamos cerrados. Le podemos llamar cuando abramos."}}}
    menu = tmp_path / "hours.yaml"
    menu.write_text(yaml.safe_dump(tree, allow_unicode=True))
    return make_app(redis_url, FixedClock(at), menu_file=menu)


def _route_to_billing(app: Flask) -> tuple[TwilioCall, list[str], str]:
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.press("1")
    reply = call.press("1")
    return call, reply.says(), reply.action()


def test_outside_opening_hours_a_routed_call_takes_the_after_hours_route(
    redis_url: str, tmp_path: Path
) -> None:
    night = _app_with_hours(redis_url, tmp_path, datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    call, said, next_url = _route_to_billing(night)
    assert said == ["We are closed now. We can call you back when we open."]
    assert next_url == "/callbacks/offer"
    routing = night.extensions["hotline"].sessions.load(call.sid).routing
    assert (routing.outcome, routing.issue, routing.queue) == (
        "callback", "billing/dispute", "billing")
    day = _app_with_hours(redis_url, tmp_path, datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    assert _route_to_billing(day)[2] == "/queues/enter"


def test_callback_times_offered_after_hours_fall_inside_the_opening_hours(
    redis_url: str, tmp_path: Path,
) -> None:
    # Tuesday 7 in the evening for the caller in San Francisco. Callbacks are promised 9 to 5
    # in their zone, but the line is open only until 1 in the afternoon in New York (10 in
    # San Francisco), and Thursday is Thanksgiving.
    night = _app_with_hours(redis_url, tmp_path, datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
                            opens="08:00-13:00")
    call, _, next_url = _route_to_billing(night)
    assert next_url == "/callbacks/offer"
    call.next_path = call.post(next_url, call.form()).action()
    assert call.press("2").says()[:3] == ["Press 1 for tomorrow at 9 in the morning.",
                                          "Press 2 for Friday at 9 in the morning.",
                                          "Press 3 for Monday at 9 in the morning."]
