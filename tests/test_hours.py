"""Days, hour ranges and public holidays are read one way everywhere: the menu's opening hours,
the callback slots and dialling hours, and the HOTLINE_CALLBACK_* settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

import pytest

from callbacks.policy import policy_for
from callbacks.slots import may_dial, next_slots
from core import hours
from core.errors import ConfigError
from core.opening_hours import OpeningHours
from core.settings import Settings


def test_one_reading_of_days_ranges_and_holidays() -> None:
    assert hours.parse_days("sat-mon") == (0, 5, 6)
    assert hours.parse_days("mon-fri, sun") == (0, 1, 2, 3, 4, 6)
    assert hours.parse_range("00:00-24:00") == (time(0), hours.END_OF_DAY)
    assert hours.parse_range("08:30 - 17:00:30") == (time(8, 30), time(17, 0, 30))
    assert hours.within(time(23, 59, 59, 999999), time(0), hours.END_OF_DAY)
    assert not hours.within(time(17), time(9), time(17))
    assert hours.parse_holidays("us-ny") == "US-NY"
    assert hours.parse_holidays("none") == hours.NO_HOLIDAYS
    assert hours.holiday_checker("US")(date(2026, 11, 26))  # Thanksgiving
    assert not hours.holiday_checker(hours.NO_HOLIDAYS)(date(2026, 11, 26))
    assert not hours.has_calendar("AC") and hours.has_calendar("DE")  # Ascension: none


@pytest.mark.parametrize(("read", "text", "why"), [
    (hours.parse_range, "25:00-26:00", "25:00 is not a time of day"),
    (hours.parse_range, "09:00-08:00", "the end must come after the start"),
    (hours.parse_range, "24:00-24:00", "24:00 is not a time of day"),
    (hours.parse_range, "9 to 5", "is not a range like 08:00-20:00"),
    (hours.parse_days, "weekdays", "days are mon to sun"),
    (hours.parse_holidays, "XX", "no public holiday calendar"),
    (hours.parse_holidays, "US-XX", "no public holiday calendar"),
    (hours.parse_zone, "Mars/Olympus", "is not an IANA time zone"),
])
def test_what_cannot_be_read_is_refused_saying_why(read: Callable[[str], object], text: str,
                                                   why: str) -> None:
    with pytest.raises(ValueError, match=why):
        read(text)


def callbacks(**env: str) -> Settings:
    return Settings.from_env({f"HOTLINE_CALLBACK_{name.upper()}": v for name, v in env.items()})


def test_a_day_range_may_wrap_around_the_end_of_the_week() -> None:
    assert callbacks(days="sat-mon").callbacks.days == (0, 5, 6)
    weekend = policy_for(callbacks(days="sat-mon").callbacks, "America/New_York", "US")
    friday_evening = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    first = next_slots(friday_evening, weekend.zone, weekend.hours, 1)[0]
    assert first == datetime(2026, 11, 28, 14, 0, tzinfo=UTC)  # Saturday, 9 in New York


def test_24_00_ends_the_day_for_callbacks_as_for_opening_hours() -> None:
    settings = callbacks(dial_hours="00:00-24:00", days="mon-sun", holidays="none").callbacks
    policy = policy_for(settings, "America/New_York", "US")
    just_before_midnight = datetime(2026, 11, 25, 4, 59, 59, tzinfo=UTC)  # 23:59:59 in New York
    assert may_dial(just_before_midnight, policy.zone, policy.hours)
    always = OpeningHours("America/New_York", time(0), settings.dial_until, tuple(range(7)))
    assert always.is_open(just_before_midnight)


@pytest.mark.parametrize(("name", "value"), [
    ("holidays", "XX"), ("holidays", "US-XX"), ("hours", "25:00-26:00"), ("hours", "09:00-08:00"),
    ("dial_hours", "24:00-24:00"), ("days", "weekdays"), ("timezone", "Mars/Olympus"),
])
def test_a_setting_that_cannot_be_read_is_refused_naming_the_variable(name: str,
                                                                       value: str) -> None:
    with pytest.raises(ConfigError, match=f"^HOTLINE_CALLBACK_{name.upper()}: .*{value}"):
        callbacks(**{name: value})


def test_a_countrys_region_may_give_the_holidays() -> None:
    settings = callbacks(holidays="us-ny", dial_hours="00:00-24:00").callbacks
    policy = policy_for(settings, "America/New_York", "US")
    assert settings.holidays == "US-NY"
    assert not may_dial(datetime(2026, 11, 26, 17, 0, tzinfo=UTC), policy.zone, policy.hours)
