"""Callback times in the caller's own time zone: the slots to offer and the hours in which
Hotline may dial (`core.spoken` says them). Pure functions over zoneinfo; holidays are passed in.

Local wall times are built per calendar day with zoneinfo, so a slot at 9 in the morning is at
9 on both sides of a daylight-saving change, and a wall time that does not exist that day (the
spring-forward gap) is skipped rather than shifted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.hours import IsHoliday, within

SLOT_STEP = timedelta(hours=1)
"""Offered slots start on the hour (from the opening time), one hour apart."""

MIN_LEAD = timedelta(minutes=30)
"""A slot is offered only if it starts at least this long from now."""

OPENING_STEP = timedelta(minutes=15)
"""How far apart the instants are at which a closed line is looked at again for opening."""
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

SEARCH_DAYS = 21
"""How far ahead slots and dialling windows are looked for (long holidays included)."""


LineOpen = Callable[[datetime], bool]
"""Whether the line takes calls at an instant."""


def always_open(at: datetime) -> bool:
    return True


@dataclass(frozen=True)
class Hours:
    """When callbacks may be promised (business hours) and dialled, in local wall time."""

    open_at: time = time(9, 0)
    close_at: time = time(17, 0)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    dial_from: time = time(8, 0)
    dial_until: time = time(20, 0)
    is_holiday: IsHoliday = field(default=lambda day: False)
    line_open: LineOpen = always_open
    """Whether the line takes calls at an instant (the opening hours admins set for it, else
    the menu tree's): a time is promised only when agents are there to keep it."""

    def working_day(self, day: date) -> bool:
        return day.weekday() in self.days and not self.is_holiday(day)


def zone(name: str | None, fallback: str) -> ZoneInfo:
    """The IANA zone `name`, else `fallback` (an unknown or missing zone never fails a call)."""
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def next_slots(now: datetime, tz: ZoneInfo, hours: Hours, count: int) -> list[datetime]:
    """The next `count` slot start times (UTC) inside business hours while the line is open,
    at least MIN_LEAD away."""
    earliest = now + MIN_LEAD
    found: list[datetime] = []
    for day in _days_from(now, tz):
        if not hours.working_day(day):
            continue
        for start in _wall_times(day, hours.open_at, hours.close_at, SLOT_STEP, tz):
            if start >= earliest and hours.line_open(start):
                found.append(start)
                if len(found) == count:
                    return found
    return found


def may_dial(at: datetime, tz: ZoneInfo, hours: Hours) -> bool:
    """True when `at` is inside the caller's allowed dialling hours on a working day, while
    the line is open (nobody would take the call otherwise)."""
    local = at.astimezone(tz)
    return hours.working_day(local.date()) and within(
        local.time(), hours.dial_from, hours.dial_until) and hours.line_open(at)


def next_dial_time(at: datetime, tz: ZoneInfo, hours: Hours) -> datetime:
    """The earliest instant at or after `at` when the caller may be dialled and the line is
    open (UTC); `at` itself when there is none within SEARCH_DAYS."""
    candidate = at
    while candidate - at < timedelta(days=SEARCH_DAYS):
        allowed = _next_in_dialling_hours(candidate, tz, hours)
        if allowed is None:
            break
        if hours.line_open(allowed):
            return allowed
        # Closed then: look again from the next quarter hour (opening times fall on one).
        candidate = allowed + OPENING_STEP - (allowed - _EPOCH) % OPENING_STEP
    return at


def _next_in_dialling_hours(at: datetime, tz: ZoneInfo, hours: Hours) -> datetime | None:
    local = at.astimezone(tz)
    if hours.working_day(local.date()) and within(local.time(), hours.dial_from,
                                                  hours.dial_until):
        return at
    for day in _days_from(at, tz):
        if not hours.working_day(day):
            continue
        start = _local(day, hours.dial_from, tz)
        if start is not None and start >= at:
            return start
    return None


def _days_from(now: datetime, tz: ZoneInfo) -> Iterator[date]:
    first = now.astimezone(tz).date()
    return (first + timedelta(days=n) for n in range(SEARCH_DAYS))


def _wall_times(day: date, start: time, end: time, step: timedelta,
                tz: ZoneInfo) -> Iterator[datetime]:
    wall = datetime.combine(day, start)
    while wall.time() < end and wall.date() == day:
        found = _local(day, wall.time(), tz)
        if found is not None:
            yield found
        wall += step


def _local(day: date, wall: time, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of wall time `wall` on `day` in `tz`; None inside a spring-forward gap."""
    local = datetime.combine(day, wall, tzinfo=tz)
    back = local.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local.astimezone(UTC)
