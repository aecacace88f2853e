"""How long a waiting caller will wait (`core.spoken` says it, as a range that errs long).

The predictor is history-based. The caller at `position` (counting pending callbacks, which
wait in the same line) is reached when `position` more tasks have left their line for an agent.
The line's recent service rate says how fast that happens: the last tasks that left it, over
the time from the oldest of them to now (so a line that has stalled shows a falling rate).
Agents who serve several lines split their time between them, and this rate already shows
the share this line gets. Without enough recent history (a new or quiet line) it falls back
to the staffing picture: `staffed` eligible agents each finishing a call every `handle`
seconds on average free up `staffed / handle` times a second, so the wait is about
`position * handle / staffed` (the expected time of the position-th departure when handle
times are exponential).
"""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_HANDLE_TIME = 240.0
"""Seconds a call is assumed to take before a queue has any history."""


def mean_handle_time(recent: Sequence[float], default: float = DEFAULT_HANDLE_TIME) -> float:
    return sum(recent) / len(recent) if recent else default


MIN_HISTORY = 5
"""Recent departures from a line needed before its own service rate is trusted."""

HISTORY_HORIZON = 3600.0
"""Departures older than this (seconds) say nothing about the line's rate now."""


def service_rate(served_times: Sequence[float], now: float) -> float | None:
    """Tasks per second that recently left the line for an agent, or None if too few."""
    recent = [t for t in served_times if now - t <= HISTORY_HORIZON]
    if len(recent) < MIN_HISTORY:
        return None
    span = now - min(recent)
    return len(recent) / span if span > 0 else None


def expected_wait_from_rate(position: int, rate: float) -> float:
    return max(position, 1) / rate


def expected_wait(position: int, staffed: int, handle_time: float) -> float | None:
    """Seconds until the caller at `position` (1 = next) reaches an agent; None when no
    eligible agent is on shift, so no honest estimate exists."""
    if staffed <= 0:
        return None
    return max(position, 1) * handle_time / staffed
