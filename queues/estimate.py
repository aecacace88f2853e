"""How long a waiting caller will wait, and how to say it honestly.

The predictor is history-based: with `staffed` eligible agents on shift, each finishing a call
on average every `mean handle time` seconds, agents free up about `staffed / handle` times per
second, so the caller at `position` (counting pending callbacks, which wait in the same line)
is reached after about `position * handle / staffed` seconds. That is the expected time of the
position-th departure when handle times are exponential (the Erlang C picture for a queue
that is already formed). Mean handle time comes from the queue's recent calls; until there is
any history a configured default stands in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

DEFAULT_HANDLE_TIME = 240.0
"""Seconds a call is assumed to take before a queue has any history."""


def mean_handle_time(recent: Sequence[float], default: float = DEFAULT_HANDLE_TIME) -> float:
    return sum(recent) / len(recent) if recent else default


def expected_wait(position: int, staffed: int, handle_time: float) -> float | None:
    """Seconds until the caller at `position` (1 = next) reaches an agent; None when no
    eligible agent is on shift, so no honest estimate exists."""
    if staffed <= 0:
        return None
    return max(position, 1) * handle_time / staffed


def spoken_wait(seconds: float) -> str:
    """A rounded range that errs long ("about 3 to 5 minutes"), never a precise promise."""
    if seconds < 60:
        return "less than a minute"
    low = max(1, math.floor(seconds / 60))
    high = max(low + 1, math.ceil(seconds * 1.4 / 60))
    if high > 60:
        return "more than an hour"
    return f"about {low} to {high} minutes"
