"""The callback rules that apply to one caller: business and dialling hours, time zone,
holidays, attempts and dial order, from the deployment's settings and, where a menu tree has a
`callbacks:` section, that tree's overrides (times in the tree's own words, e.g.
`{timezone: Europe/Berlin, hours: "08:00-16:00", days: "mon-sat", holidays: DE}`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from callbacks.slots import Hours, holiday_checker, zone
from core.errors import ConfigError
from core.settings import CallbackSettings, callback_settings

NO_HOLIDAYS = "NONE"
"""HOTLINE_CALLBACK_HOLIDAYS=none: dial and offer slots on public holidays too."""


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


_TREE_VARIABLES = {"timezone": "HOTLINE_CALLBACK_TIMEZONE", "hours": "HOTLINE_CALLBACK_HOURS",
                   "days": "HOTLINE_CALLBACK_DAYS", "dial_hours": "HOTLINE_CALLBACK_DIAL_HOURS",
                   "holidays": "HOTLINE_CALLBACK_HOLIDAYS", "slots": "HOTLINE_CALLBACK_SLOTS"}


def with_tree(base: CallbackSettings, tree: Mapping[str, Any] | None) -> CallbackSettings:
    """`base` with a menu tree's `callbacks:` overrides applied."""
    if not tree:
        return base
    unknown = set(tree) - set(_TREE_VARIABLES)
    if unknown:
        raise ConfigError(f"callbacks: unknown settings {sorted(unknown)} in the menu tree")
    parsed = callback_settings({_TREE_VARIABLES[k]: str(v) for k, v in tree.items()})
    changed = replace(base, **{name: getattr(parsed, name) for name in _fields_of(tree)})
    if "timezone" in tree:
        changed = replace(changed, zone_override=parsed.timezone)
    return changed


def policy_for(settings: CallbackSettings, caller_zone: str | None,
               caller_region: str | None) -> Policy:
    """The policy for a caller in `caller_zone` (from their number), unless the tree names a
    zone of its own; holidays of the settings' country, else of the caller's."""
    hours = Hours(open_at=settings.open_at, close_at=settings.close_at, days=settings.days,
                  dial_from=settings.dial_from, dial_until=settings.dial_until,
                  is_holiday=holiday_checker(_holiday_country(settings, caller_region)))
    return Policy(settings, hours,
                  zone(settings.zone_override or caller_zone, settings.timezone))


def _holiday_country(settings: CallbackSettings, caller_region: str | None) -> str | None:
    if settings.holidays == NO_HOLIDAYS:
        return None
    return settings.holidays or caller_region


def _fields_of(tree: Mapping[str, Any]) -> list[str]:
    names = {"timezone": ["timezone"], "hours": ["open_at", "close_at"], "days": ["days"],
             "dial_hours": ["dial_from", "dial_until"], "holidays": ["holidays"],
             "slots": ["slots"]}
    return [field for key in tree for field in names[key]]


@lru_cache(maxsize=64)
def tree_section(source: str) -> Mapping[str, Any]:
    """The `callbacks:` section of a menu tree's YAML source (empty when it has none)."""
    data = yaml.safe_load(source)
    found = data.get("callbacks") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else {}
