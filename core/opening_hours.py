"""When the contact centre takes calls: opening hours on given weekdays in the tree's time zone,
closed on that country's public holidays. Outside them a routed call takes the tree's
after-hours route instead of a queue nobody staffs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from core import hours


@dataclass(frozen=True)
class OpeningHours:
    timezone: str
    open_at: time
    close_at: time
    days: tuple[int, ...]
    holidays: str = ""
    """ISO country code, optionally with a subdivision (`US-NY`); empty: no holidays."""
    closures: tuple[date, ...] = ()
    """Days closed besides public holidays (a company event, a move), in the local calendar."""

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(ZoneInfo(self.timezone))
        day = local.date()
        if local.weekday() not in self.days or day in self.closures \
                or hours.holiday_checker(self.holidays)(day):
            return False
        return hours.within(local.time(), self.open_at, self.close_at)
