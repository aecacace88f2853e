"""Time, passed in so that domain logic and tests agree on what 'now' is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to; for tests and simulations."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at


def isoformat(at: datetime) -> str:
    """UTC timestamp with milliseconds, as every event and API shows it."""
    last_at, last_text = _last[0]
    if at is last_at:
        return last_text
    text = at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    _last[0] = (at, text)
    return text


# The events of one step share one `now`: the last time formatted is kept, found by identity
# (hashing an aware datetime, as a dict or lru_cache would, costs about as much as formatting
# it). One tuple, replaced whole, so that threads never see a time with another's text.
_last: list[tuple[datetime | None, str]] = [(None, "")]
