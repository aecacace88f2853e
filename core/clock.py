"""Time, passed in so that domain logic and tests agree on what 'now' is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from core.process_cache import ProcessCache


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
    found = _formatted.find(id(at))
    if found is not None and found[0] is at:
        return found[1]
    text = at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    _formatted.keep(id(at), (at, text))
    return text


TIMES_CACHED = 256
"""Times whose text a process keeps: the events of one step share one `now`."""

# Found by identity, as hashing an aware datetime costs about as much as formatting it; the
# time is kept with its text, so its id cannot name another time while it is kept.
_formatted: ProcessCache[int, tuple[datetime, str]] = ProcessCache(TIMES_CACHED)
