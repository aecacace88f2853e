"""Callback figures, kept apart from the live queues': how long from the promise to a
connected call, how many promised callbacks connect, and how many attempts each one takes."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from callbacks.record import Callback, State

CONNECTED = (State.CONNECTED, State.COMPLETED)


def kpis(records: Sequence[Callback]) -> dict[str, Any]:
    """The figures over `records` (cancelled callbacks count in `by_state` only)."""
    decided = [r for r in records if r.state in (*CONNECTED, State.FAILED)]
    connected = [r for r in decided if r.state in CONNECTED]
    waits = sorted(r.connected_at - r.created_at for r in connected if r.connected_at)
    late = sorted(max(0.0, r.connected_at - r.due_at) for r in connected if r.connected_at)
    return {
        "promised": len(records),
        "by_state": dict(Counter(r.state.value for r in records)),
        "connect_rate": round(len(connected) / len(decided), 4) if decided else None,
        "attempts_per_callback": round(statistics.fmean(r.attempts for r in decided), 3)
        if decided else None,
        "seconds_from_promise_to_connect": _spread(waits),
        "seconds_after_due_to_connect": _spread(late),
    }


def _spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p90": None, "mean": None}
    return {"p50": round(_quantile(values, 0.5), 1), "p90": round(_quantile(values, 0.9), 1),
            "mean": round(statistics.fmean(values), 1)}


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
