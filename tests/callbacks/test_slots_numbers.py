"""Callback times in the caller's zone (across daylight-saving changes and public holidays),
spoken naturally, and the numbers Hotline refuses to call back, with the reason said."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from callbacks.numbers import check_number, spoken_number
from callbacks.policy import policy_for, tree_section, with_tree
from callbacks.slots import Hours, may_dial, next_dial_time, next_slots, zone
from core.hours import holiday_checker
from core.phrases import ENGLISH
from core.settings import CallbackSettings
from core.spoken import spoken_time

NEW_YORK = zone("America/New_York", "UTC")


def speak(at: datetime, now: datetime, tz: ZoneInfo) -> str:
    return spoken_time(at, now, tz, "en")


def test_slots_are_the_next_business_hours_spoken_as_a_caller_would_say_them() -> None:
    evening = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)  # Tuesday 5:30 pm in New York
    slots = next_slots(evening, NEW_YORK, Hours(), 3)
    said = [speak(s, evening, NEW_YORK) for s in slots]
    assert said == ["tomorrow at 9 in the morning", "tomorrow at 10 in the morning",
                    "tomorrow at 11 in the morning"]
    noon = next_slots(datetime(2026, 11, 25, 16, 10, tzinfo=UTC), NEW_YORK, Hours(), 1)
    assert speak(noon[0], datetime(2026, 11, 25, 16, 10, tzinfo=UTC), NEW_YORK) == "today at noon"


def test_slots_keep_local_wall_time_across_the_spring_daylight_saving_change() -> None:
    friday = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)  # clocks go forward on Sunday 8 March
    first = next_slots(friday, NEW_YORK, Hours(), 1)[0]
    assert first == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 9 am EDT, not 14:00 UTC
    assert speak(first, friday, NEW_YORK) == "Monday at 9 in the morning"


def test_a_slot_in_the_hour_that_does_not_exist_is_skipped() -> None:
    sunday_early = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST; 2:00-3:00 is missing
    hours = Hours(open_at=datetime(2026, 1, 1, 1, 0).time(),
                  close_at=datetime(2026, 1, 1, 4, 0).time(), days=(6,))
    slots = next_slots(sunday_early, NEW_YORK, hours, 3)
    # 2:00 does not exist that night: it must not come back as a second 3:00 (which a wall
    # time rolled forward through the gap would give: 1:00, 3:00, 3:00).
    assert [s.astimezone(NEW_YORK).strftime("%d %H:%M") for s in slots] == [
        "08 01:00", "08 03:00", "15 01:00"]


def test_slots_and_dialling_skip_public_holidays() -> None:
    wednesday = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)  # Thanksgiving is Thursday the 26th
    hours = Hours(is_holiday=holiday_checker("US"))
    first = next_slots(wednesday, NEW_YORK, hours, 1)[0]
    assert speak(first, wednesday, NEW_YORK) == "Friday at 9 in the morning"
    thanksgiving_noon = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    assert not may_dial(thanksgiving_noon, NEW_YORK, hours)
    assert next_dial_time(thanksgiving_noon, NEW_YORK, hours) == \
        datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # Friday 8 am


def test_no_calls_at_night_in_the_callers_own_zone() -> None:
    los_angeles = zone("America/Los_Angeles", "UTC")
    seven_am_pacific = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10 am in New York
    assert may_dial(seven_am_pacific, NEW_YORK, Hours())
    assert not may_dial(seven_am_pacific, los_angeles, Hours())
    assert next_dial_time(seven_am_pacific, los_angeles, Hours()) == \
        datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


def test_a_menu_tree_can_set_its_own_zone_hours_and_holidays() -> None:
    tree = tree_section("callbacks: {timezone: Europe/Berlin, hours: '08:00-12:00', "
                        "days: mon-sat, holidays: DE}\nname: x\n")
    settings = with_tree(CallbackSettings(), tree)
    policy = policy_for(settings, "America/New_York", "US")
    assert policy.zone.key == "Europe/Berlin"
    saturday = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    slots = next_slots(saturday, policy.zone, policy.hours, 5)
    assert speak(slots[0], saturday, policy.zone) == "today at 8 in the morning"
    assert speak(slots[-1], saturday, policy.zone) == "Monday at 8 in the morning"
    christmas = datetime(2026, 12, 25, 9, 0, tzinfo=UTC)
    assert not may_dial(christmas, policy.zone, policy.hours)


@pytest.mark.parametrize(("typed", "rule"), [
    ("911", "emergency"), ("112", "emergency"), ("12", "too_short"), ("212555012", "too_short"),
    ("19005550123", "premium_rate"), ("+44 909 879 0000", "premium_rate"),
    ("41555", "short_code"), ("+441632960000", "invalid"), ("555555555555555555", "too_long"),
])
def test_numbers_hotline_will_not_call_back_are_refused_with_a_reason(typed: str,
                                                                       rule: str) -> None:
    refused = check_number(typed, "US")
    assert not isinstance(refused, str) and refused.rule == rule
    assert ENGLISH.phrases("en").say(refused.phrase).endswith(".")


def test_a_typed_national_number_is_read_in_the_callers_region() -> None:
    assert check_number("2125550123", "US") == "+12125550123"
    assert check_number("030 1234567", "DE") == "+49301234567"
    assert spoken_number("+12125550123") == "2 1 2, 5 5 5, 0 1 2 3"
