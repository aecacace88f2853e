"""The order callers are served in: priority first, arrival second, and nobody starves.

Each caller's rank is their arrival time minus a head start for their priority. Callers are
served lowest rank first, so an urgent caller goes ahead of everyone who arrived up to
`HEAD_START["urgent"]` seconds before them, but no further: a low-priority caller who has
waited longer than the difference in head starts is served before a new urgent one. The rank
never changes while a caller waits, so the order is a plain sorted set in Redis.
"""

from __future__ import annotations

from collections.abc import Mapping

HEAD_START: Mapping[str, float] = {"urgent": 900.0, "high": 300.0, "normal": 0.0, "low": -300.0}
"""Seconds of queue time each priority is credited with on arrival."""


def rank(arrived_at: float, priority: str, head_start: Mapping[str, float] = HEAD_START) -> float:
    """The sort key of a caller who arrived at epoch `arrived_at` with `priority`."""
    return arrived_at - head_start.get(priority, 0.0)
