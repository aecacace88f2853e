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


def due_times(
    priority: str, opened_at: datetime,
    targets: Mapping[str, tuple[timedelta, timedelta]] = SLA_BY_PRIORITY,
) -> tuple[datetime | None, datetime | None]:
    """First-response and resolution due times; (None, None) for a priority without a target."""
    target = targets.get(priority)
    if target is None:
        return None, None
    return opened_at + target[0], opened_at + target[1]
