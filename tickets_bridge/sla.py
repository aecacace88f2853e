"""Service levels: when a ticket's first response and resolution are due, from its priority."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

SLA_BY_PRIORITY: Mapping[str, tuple[timedelta, timedelta]] = {
    "urgent": (timedelta(minutes=15), timedelta(hours=4)),
    "high": (timedelta(hours=1), timedelta(hours=8)),
    "normal": (timedelta(hours=4), timedelta(hours=24)),
    "low": (timedelta(hours=8), timedelta(hours=72)),
}
"""Default (first response, resolution) targets per priority; deployments may pass others."""

PRIORITY_ORDER = ("low", "normal", "high", "urgent")
"""Priorities from lowest to highest: a ticket's priority only moves up this list."""


def higher(current: str, proposed: str) -> str:
    """The higher of two priorities (an unknown or empty one ranks lowest)."""
    def rank(priority: str) -> int:
        return PRIORITY_ORDER.index(priority) if priority in PRIORITY_ORDER else -1
    return proposed if rank(proposed) > rank(current) else current or proposed


def earlier(current: datetime | None, proposed: datetime | None) -> datetime | None:
    """The earlier of two due times: a due time never moves later."""
    if current is None or proposed is None:
        return current or proposed
    return min(current, proposed)


def due_times(
    priority: str, opened_at: datetime,
    targets: Mapping[str, tuple[timedelta, timedelta]] = SLA_BY_PRIORITY,
) -> tuple[datetime | None, datetime | None]:
    """First-response and resolution due times; (None, None) for a priority without a target."""
    target = targets.get(priority)
    if target is None:
        return None, None
    return opened_at + target[0], opened_at + target[1]
