"""Days, hour ranges, time zones and public holidays, read one way for the menu's opening hours,
callback slots and dialling hours, and the settings: pure functions over plain values. A reader
raises ValueError saying what is wrong; the caller names the field (`HOTLINE_CALLBACK_DAYS: ...`,
`hours.days: ...`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_calendars

from core.process_cache import ProcessCache

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Day names as written in ranges like mon-fri; their index is `date.weekday()`."""

END_OF_DAY = time(23, 59, 59, 999999)
"""A range written to end at 24:00 ends here: the day's last instant, inside the range."""

NO_HOLIDAYS = "NONE"
"""The holidays value (written `none`) that keeps every public holiday a working day."""

CALENDARS_CACHED = 64
"""Holiday calendars kept per process; each fills in the years asked of it."""

IsHoliday = Callable[[date], bool]

_CLOCK = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_RANGE = re.compile(rf"^\s*{_CLOCK}\s*-\s*{_CLOCK}\s*$")


def parse_range(text: str) -> tuple[time, time]:
    """`"08:00-20:00"` (seconds allowed, 24:00 as the end) as its start and end times."""
    found = _RANGE.match(text)
    if not found:
        raise ValueError(f"{text!r} is not a range like 08:00-20:00")
    start = _clock(text, found.groups()[:3], may_end_day=False)
    end = _clock(text, found.groups()[3:], may_end_day=True)
    if end <= start:
        raise ValueError(f"{text!r}: the end must come after the start on the same day")
    return start, end


def parse_days(text: str) -> tuple[int, ...]:
    """`"mon-fri"`, `"mon-fri,sun"`, `"sat-mon"` (wrapping round the week) or `"sat"` as
    weekday numbers, Monday 0."""
    found: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"{text!r}: days are mon to sun, like mon-fri, sat-mon or sat,sun")
        start, end = DAYS.index(first), DAYS.index(last or first)
        found.update(range(start, end + 1) if start <= end else [*range(start, 7),
                                                                  *range(end + 1)])
    return tuple(sorted(found))


def within(at: time, start: time, end: time) -> bool:
    """True when wall time `at` falls in the range from `start` up to (not including) `end`."""
    return start <= at < end or (end == END_OF_DAY and at >= start)


def parse_zone(name: str) -> str:
    """`name` when it is an IANA time zone such as Europe/Berlin."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone like Europe/Berlin") from None
    return name


def parse_holidays(text: str) -> str:
    """A country code with an optional subdivision (`US`, `us-ny`) that has a holiday calendar,
    upper-cased, or NO_HOLIDAYS for `none`."""
    code = text.strip().upper()
    if code != NO_HOLIDAYS:
        _calendar(code)
    return code


def has_calendar(code: str | None) -> bool:
    """True when `code` (a caller's region, say) has a public holiday calendar."""
    if not code or code.upper() == NO_HOLIDAYS:
        return False
    try:
        _calendar(code.upper())
    except ValueError:
        return False
    return True


def holiday_checker(code: str | None) -> IsHoliday:
    """Public holidays of the country (and subdivision) `code` as a predicate; none for None,
    empty or NO_HOLIDAYS. Raises ValueError for a code without a calendar."""
    if not code or code.upper() == NO_HOLIDAYS:
        return lambda day: False
    calendar = _calendar(code.upper())
    return lambda day: day in calendar


def _calendar(code: str) -> holiday_calendars.HolidayBase:
    return _calendars.get(code, _new_calendar)


def _new_calendar(code: str) -> holiday_calendars.HolidayBase:
    country, _, subdivision = code.partition("-")
    try:
        return holiday_calendars.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:
        raise ValueError(f"{code!r}: no public holiday calendar for it (a country code "
                         "like US, optionally with a region like US-NY, or none)") from None


_calendars: ProcessCache[str, holiday_calendars.HolidayBase] = ProcessCache(CALENDARS_CACHED)


def _clock(text: str, parts: tuple[str | None, ...], may_end_day: bool) -> time:
    h, m, s = (int(part or 0) for part in parts)
    if may_end_day and (h, m, s) == (24, 0, 0):
        return END_OF_DAY
    if h > 23 or m > 59 or s > 59:
        raise ValueError(f"{text!r}: {':'.join(p for p in parts if p)} is not a time of day")
    return time(h, m, s)
