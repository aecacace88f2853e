"""When the contact centre takes calls: opening hours on given weekdays in the tree's time zone,
closed on that country's public holidays. Outside them a routed call takes the tree's
after-hours route instead of a queue nobody staffs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
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

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(ZoneInfo(self.timezone))
        if local.weekday() not in self.days or hours.holiday_checker(self.holidays)(local.date()):
            return False
        return hours.within(local.time(), self.open_at, self.close_at)
