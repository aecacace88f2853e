"""RQ entry points of the queues, enqueued by dotted path: an agent's wrap-up ends and they
are given the next task; an agent becomes free; a call ended while it waited or talked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from core.clock import SystemClock
from core.deps import Dependencies, build
from core.errors import ConfigError
from core.settings import Settings
from queues.agents import AgentRegistry, AgentStatus
from queues.context import Queues, dispatcher
from queues.queue_store import QueueStore


@contextmanager
def _deps() -> Iterator[Dependencies]:
    settings = Settings.from_env()
    if not settings.redis_url:
        raise ConfigError("REDIS_URL: the worker passes it to jobs")
    built = build(settings, settings.redis_url, SystemClock())
    try:
        yield built
    finally:
        built.redis.close()


def agent_free(agent_id: str) -> None:
    """Job: the agent became available; give them their next task."""
    with _deps() as d:
        dispatcher(Queues.of(d)).agent_free(agent_id, d.clock.now().timestamp())


def end_wrap_up(agent_id: str, since: float) -> None:
    """Job: the agent's wrap-up time is over. Only the wrap-up that began at `since` is ended,
    so an agent who went offline or took another task in between is left alone."""
    with _deps() as d:
        presence = AgentRegistry(d.redis).presence(agent_id)
        if presence is None or presence.status is not AgentStatus.WRAP_UP:
            return
        now = d.clock.now().timestamp()
        ended = QueueStore(d.redis).set_status(agent_id, "available", now, "wrap-up over",
                                               if_since=since)
        if ended == 1:
            dispatcher(Queues.of(d)).agent_free(agent_id, now)
