"""When the contact centre takes calls: opening hours on given weekdays in the tree's time zone,
closed on that country's public holidays. Outside them a routed call takes the tree's
after-hours route instead of a queue nobody staffs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holiday_calendars

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
END_OF_DAY = time(23, 59, 59, 999999)
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class OpeningHours:
    timezone: str
    open_at: time
    close_at: time
    days: tuple[int, ...]
    holidays: str = ""
    """ISO country code, optionally with a subdivision (`US-NY`); empty: no holidays."""

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(ZoneInfo(self.timezone))
        if local.weekday() not in self.days or _is_holiday(self.holidays, local.date()):
            return False
        return self.open_at <= local.time() < self.close_at or (
            self.close_at == END_OF_DAY and local.time() >= self.open_at)


def parse_range(text: str) -> tuple[time, time]:
    """`"08:00-20:00"` (24:00 allowed as the end) as opening and closing times."""
    found = _RANGE.match(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not a range like 08:00-20:00")
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    if h2 == 24 and m2 == 0:
        closes = END_OF_DAY
    elif h2 < 24 and m2 < 60:
        closes = time(h2, m2)
    else:
        raise ValueError(f"{text!r}: {h2:02d}:{m2:02d} is not a time of day")
    if h1 > 23 or m1 > 59:
        raise ValueError(f"{text!r}: {h1:02d}:{m1:02d} is not a time of day")
    opens = time(h1, m1)
    if closes <= opens:
        raise ValueError(f"{text!r}: closing must come after opening on the same day")
    return opens, closes


def parse_days(text: str) -> tuple[int, ...]:
    """`"mon-fri"`, `"mon-fri,sun"` or `"sat"` as weekday numbers (Monday is 0)."""
    found: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"{text!r}: days are mon to sun, like mon-fri or sat,sun")
        start, end = DAYS.index(first), DAYS.index(last or first)
        found.update(range(start, end + 1) if start <= end else [*range(start, 7),
                                                                  *range(0, end + 1)])
    return tuple(sorted(found))


def check_holidays(code: str) -> None:
    """Raise ValueError unless `code` names a country (and subdivision) with a calendar."""
    _calendar(code)


@lru_cache(maxsize=64)
def _calendar(code: str) -> holiday_calendars.HolidayBase:
    country, _, subdivision = code.upper().partition("-")
    try:
        return holiday_calendars.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError as exc:
        raise ValueError(f"{code!r}: no public holiday calendar for it") from exc


def _is_holiday(code: str, day: date) -> bool:
    return bool(code) and day in _calendar(code)
