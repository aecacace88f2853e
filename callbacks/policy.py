"""The callback rules that apply to one caller: business and dialling hours, time zone,
holidays, attempts and dial order, from the deployment's settings and, where a menu tree has a
`callbacks:` section, that tree's overrides (times in the tree's own words, e.g.
`{timezone: Europe/Berlin, hours: "08:00-16:00", days: "mon-sat", holidays: DE}`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from callbacks.slots import Hours, LineOpen, always_open, zone
from core import line_hours
from core.errors import ConfigError, InvalidInput
from core.hours import IsHoliday, has_calendar, holiday_checker, parse_zone
from core.opening_hours import OpeningHours
from core.settings import CallbackSettings, with_callback_section


@dataclass(frozen=True)
class Policy:
    """How callbacks are promised and dialled for one caller."""

    settings: CallbackSettings
    hours: Hours
    zone: ZoneInfo
    callers_zone: bool = True
    """True when `zone` is the caller's own; False when it is the line's (the caller's number
    names no single zone, or the menu sets one for every caller)."""

    @property
    def line_zone(self) -> str | None:
        """The place naming `zone` ("New York") when it is the line's, so times can say whose
        they are; None when the times are the caller's own."""
        return None if self.callers_zone else self.zone.key.rsplit("/")[-1].replace("_", " ")

    def agent_first(self, queue: str) -> bool:
        return queue not in self.settings.customer_first_queues

    def backoff(self, attempts: int) -> int:
        """Seconds to wait after the `attempts`-th failed attempt."""
        steps = self.settings.backoff
        return steps[min(max(attempts, 1), len(steps)) - 1]


@dataclass(frozen=True)
class TreeCallbacks:
    """What a menu tree says about callbacks: its `callbacks:` section, its opening hours'
    zone (the line's zone for callers whose number names none, unless the section names one),
    and its opening hours themselves (slots are promised only while the line is open)."""

    section: Mapping[str, Any] = field(default_factory=dict)
    hours_zone: str | None = None
    opening: OpeningHours | None = None


def with_tree(base: CallbackSettings, tree: TreeCallbacks | None) -> CallbackSettings:
    """`base` with a menu tree's `callbacks:` overrides and opening hours' zone applied."""
    if tree is None:
        return base
    changed, problems = with_callback_section(base, tree.section)
    if problems:
        raise ConfigError("; ".join(f"callbacks.{key}: {why}" for key, why in problems))
    return replace(changed, timezone=tree.hours_zone) if tree.hours_zone else changed


def policy_for(settings: CallbackSettings, caller_zone: str | None,
               caller_region: str | None, line_open: LineOpen = always_open) -> Policy:
    """The policy for a caller in `caller_zone` (their number's one zone, None when it names
    none or several), unless the tree names a zone of its own; a caller without a zone gets the
    line's (`settings.timezone`). Holidays of the settings' country, else of the caller's.
    Slots fall only at instants `line_open` says the line is open."""
    hours = Hours(open_at=settings.open_at, close_at=settings.close_at, days=settings.days,
                  dial_from=settings.dial_from, dial_until=settings.dial_until,
                  is_holiday=_holidays(settings, caller_region),
                  line_open=line_open)
    chosen = zone(settings.zone_override or caller_zone, settings.timezone)
    return Policy(settings, hours, chosen, callers_zone=chosen.key == caller_zone)


def _holidays(settings: CallbackSettings, caller_region: str | None) -> IsHoliday:
    # The settings' code was checked when read; a caller's country may have no calendar.
    if settings.holidays:
        return holiday_checker(settings.holidays)
    return holiday_checker(caller_region if has_calendar(caller_region) else None)


def tree_section(source: str) -> TreeCallbacks:
    """What the menu tree in YAML `source` says about callbacks (nothing when it has no
    `callbacks:` section and no opening hours)."""
    data = yaml.safe_load(source)
    data = data if isinstance(data, dict) else {}
    section = data.get("callbacks")
    hours = data.get("hours")
    zone_name = hours.get("timezone") if isinstance(hours, dict) else None
    return TreeCallbacks(section if isinstance(section, dict) else {},
                         zone_name if _is_zone(zone_name) else None, _opening(hours))


def _opening(hours: object) -> OpeningHours | None:
    # A published tree passed the validator, which reads `hours:` the same way.
    if not isinstance(hours, dict):
        return None
    try:
        return line_hours.parse(hours)
    except InvalidInput:
        return None


def _is_zone(name: object) -> bool:
    try:
        return isinstance(name, str) and parse_zone(name) == name
    except ValueError:
        return False
