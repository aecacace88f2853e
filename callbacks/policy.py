"""The callback rules that apply to one caller: business and dialling hours, time zone,
holidays, attempts and dial order, from the deployment's settings and, where a menu tree has a
`callbacks:` section, that tree's overrides (times in the tree's own words, e.g.
`{timezone: Europe/Berlin, hours: "08:00-16:00", days: "mon-sat", holidays: DE}`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from callbacks.slots import Hours, zone
from core.errors import ConfigError
from core.hours import IsHoliday, has_calendar, holiday_checker
from core.settings import CallbackSettings, with_callback_section


@dataclass(frozen=True)
class Policy:
    """How callbacks are promised and dialled for one caller."""

    settings: CallbackSettings
    hours: Hours
    zone: ZoneInfo

    def agent_first(self, queue: str) -> bool:
        return queue not in self.settings.customer_first_queues

    def backoff(self, attempts: int) -> int:
        """Seconds to wait after the `attempts`-th failed attempt."""
        steps = self.settings.backoff
        return steps[min(max(attempts, 1), len(steps)) - 1]


def with_tree(base: CallbackSettings, tree: Mapping[str, Any] | None) -> CallbackSettings:
    """`base` with a menu tree's `callbacks:` overrides applied."""
    if not tree:
        return base
    changed, problems = with_callback_section(base, tree)
    if problems:
        raise ConfigError("; ".join(f"callbacks.{key}: {why}" for key, why in problems))
    return changed


def policy_for(settings: CallbackSettings, caller_zone: str | None,
               caller_region: str | None) -> Policy:
    """The policy for a caller in `caller_zone` (from their number), unless the tree names a
    zone of its own; holidays of the settings' country, else of the caller's."""
    hours = Hours(open_at=settings.open_at, close_at=settings.close_at, days=settings.days,
                  dial_from=settings.dial_from, dial_until=settings.dial_until,
                  is_holiday=_holidays(settings, caller_region))
    return Policy(settings, hours,
                  zone(settings.zone_override or caller_zone, settings.timezone))


def _holidays(settings: CallbackSettings, caller_region: str | None) -> IsHoliday:
    # The settings' code was checked when read; a caller's country may have no calendar.
    if settings.holidays:
        return holiday_checker(settings.holidays)
    return holiday_checker(caller_region if has_calendar(caller_region) else None)


@lru_cache(maxsize=64)
def tree_section(source: str) -> Mapping[str, Any]:
    """The `callbacks:` section of a menu tree's YAML source (empty when it has none)."""
    data = yaml.safe_load(source)
    found = data.get("callbacks") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else {}
