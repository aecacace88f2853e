"""The queues' collaborators for one request or job, and the steps that both the webhooks and
the API take: whether an agent still holds a call, and what happens when an agent's call ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rq import Queue

from core import keys
from core.deps import Dependencies, deps
from core.events import Event, EventKind
from core.redis_values import text
from core.routes import Routes, url
from queues.agents import AgentRegistry
from queues.dispatch import Dispatcher
from queues.line import Line
from queues.queue_store import Assignment, QueueStore
from queues.wait_stats import WaitStats

JOBS_QUEUE = "hotline"
"""The RQ queue `hotline worker` serves."""

@dataclass(frozen=True)
class Queues:
    """The queues' collaborators for one request."""

    d: Dependencies
    store: QueueStore
    agents: AgentRegistry
    stats: WaitStats

    @property
    def now(self) -> float:
        return self.d.clock.now().timestamp()

    def url(self, path: str, **query: str | int) -> str:
        """A URL of the queues' own webhooks."""
        return url(self.d.settings.public_url, f"/queues/{path}", **query)

    @property
    def routes(self) -> Routes:
        """The other features' webhook URLs."""
        return Routes(self.d.settings.public_url)

    def line(self) -> Line:
        return Line(self.store, self.agents, self.stats, self.d.settings.default_handle_time)

    @classmethod
    def of(cls, d: Dependencies) -> Queues:
        return cls(d, QueueStore(d.redis), AgentRegistry(d.redis), WaitStats(d.redis))

    def event(self, kind: EventKind, text_: str, **details: object) -> Event:
        return Event(self.d.clock.now(), kind, text_, dict(details))


def queues() -> Queues:
    """The queues of the current app (inside a request)."""
    return Queues.of(deps())


def after_call(q: Queues, agent_id: str, now: float, wrap_up: int) -> None:
    """Wrap-up ends on its own after the agent's wrap-up time; with none, the next task."""
    if wrap_up:
        Queue(JOBS_QUEUE, connection=q.d.redis).enqueue_in(
            timedelta(seconds=wrap_up), "queues.jobs.end_wrap_up", agent_id, now)
        return
    dispatcher(q).agent_free(agent_id, now)


def dispatcher(q: Queues) -> Dispatcher:
    jobs = Queue(JOBS_QUEUE, connection=q.d.redis)

    def enqueue(path: str, first: str, second: str) -> None:
        jobs.enqueue(path, first, second)

    return Dispatcher(q.store, q.d.telephony, q.routes.queue_connect,
                      enqueue)


def holds(q: Queues, held: Assignment) -> bool:
    """The assigned agent still has this task (not finished, not escalated away)."""
    current = q.d.redis.hget(keys.agent(held.agent), "call")
    return current is not None and text(current) == held.task
