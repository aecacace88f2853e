"""A call's place in line, seen from outside the scripts: where it would stand if it joined
now, how long it will wait, and the figures those come from."""

from __future__ import annotations

from dataclasses import dataclass

from core import keys
from core.routing import Routing
from queues.ageing import rank
from queues.agents import AgentRegistry, AgentStatus
from queues.estimate import (
    expected_wait,
    expected_wait_from_rate,
    mean_handle_time,
    service_rate,
    wait_bounds,
)
from queues.queue_store import QueueStore, set_name
from queues.wait_stats import WaitStats


@dataclass(frozen=True)
class Outlook:
    """What a caller can be told: their position (1 = next) and expected wait in seconds
    (None when no agent who could take them is on shift; 0 when one is free now)."""

    position: int
    wait: float | None

    @property
    def bounds(self) -> tuple[float, float] | None:
        """Seconds within which the wait most likely ends (see `estimate.wait_bounds`)."""
        return wait_bounds(self.wait, self.position) if self.wait is not None else None


@dataclass(frozen=True)
class Line:
    store: QueueStore
    agents: AgentRegistry
    stats: WaitStats
    default_handle_time: float

    def outlook(self, routing: Routing, task: str, now: float,
                position: int | None = None) -> Outlook:
        """Where `task` stands (or would stand, joining now; pass `position` when it is
        known) and its expected wait; no wait when nobody who could take it is on shift, so
        nobody is told an agent is coming when none is (one agent scan per outlook)."""
        position = position or self.store.position(task)
        staffed = self.agents.staffed(routing.tier, routing.skills)
        if position is None:  # joining: a free agent means no wait
            if any(p.status is AgentStatus.AVAILABLE for _, p in staffed):
                return Outlook(1, 0.0)
            position = self._position_if_joined(routing, now)
        if not staffed:
            return Outlook(position, None)
        queue = routing.line_queue
        rate = service_rate(
            self.store.served_times(set_name(queue, routing.tier, routing.skills)), now)
        if rate is not None:
            return Outlook(position, expected_wait_from_rate(position, rate))
        handle = mean_handle_time(self.stats.handle_times(queue), self.default_handle_time)
        return Outlook(position, expected_wait(position, len(staffed), handle))

    def _position_if_joined(self, routing: Routing, now: float) -> int:
        waiting = keys.queue_waiting(set_name(routing.line_queue, routing.tier, routing.skills))
        ahead = self.store.redis.zcount(waiting, "-inf",
                                        rank(routing.queued_at or now, routing.priority))
        return int(ahead) + 1
