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

import math
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


RANGE_Z = 1.44
"""How wide the spoken range is: the middle 85% of the wait's spread (the normal quantile's
z), so that, with the rate itself only estimated, it still holds for at least 80% of callers
(docs/BENCHMARKS.md, simulated day)."""


def wait_bounds(expected: float, position: int) -> tuple[float, float]:
    """Seconds within which the caller at `position` most likely reaches an agent, given an
    `expected` wait. They are reached after `position` departures; with departures at a
    steady rate, that takes a Gamma(position) time, whose spread narrows as the position
    grows: for the second in line, from about a fifth to twice the mean; for the tenth,
    from 0.6 to 1.5 times it. Quantiles by the Wilson-Hilferty approximation."""
    n = max(position, 1)

    def share(z: float) -> float:
        return max(0.0, 1 - 1 / (9 * n) + z / (3 * math.sqrt(n))) ** 3

    return expected * share(-RANGE_Z), expected * share(RANGE_Z)
