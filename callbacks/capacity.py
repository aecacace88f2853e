"""Customer-first callbacks are dialled without a reserved agent, so they are released only as
agents allow: never more dialling at once than free agents of the tier minus the customer-first
callbacks already dialling. The check and the start happen under one short lock per queue and
tier, so two workers never both take the last free agent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from callbacks.record import Callback
from callbacks.runtime import Runtime
from core import keys
from queues.agents import AgentRegistry, AgentStatus

LOCK_SECONDS = 5
"""How long a worker may hold the capacity lock (it needs milliseconds)."""

RECHECK_SECONDS = 5.0
"""How soon a customer-first callback with no free agent is looked at again."""


def free_agents(rt: Runtime, record: Callback) -> int:
    """Available agents who could take this callback."""
    staffed = AgentRegistry(rt.redis).staffed(record.tier, record.skills)
    return sum(1 for _, presence in staffed if presence.status is AgentStatus.AVAILABLE)


def unreserved_dialing(rt: Runtime, record: Callback) -> int:
    """Customer-first callbacks of the same queue and tier being dialled now."""
    ids = rt.store.expired_leases(float("inf"), limit=10_000)
    dialing = rt.store.many(i for i in ids if i != record.id)
    return sum(1 for r in dialing
               if not r.agent and r.queue == record.queue and r.tier == record.tier)


@contextmanager
def capacity_lock(rt: Runtime, record: Callback) -> Iterator[bool]:
    """Holds the queue and tier's capacity lock; yields False when another worker has it."""
    lock = rt.redis.lock(keys.callback_capacity_lock(record.queue, record.tier),
                         timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS)
    acquired = lock.acquire()
    try:
        yield bool(acquired)
    finally:
        if acquired:
            lock.release()


def start_if_room(rt: Runtime, record: Callback, start: Callable[[], bool]) -> bool:
    """Run `start` (moving the callback into dialing) only if an agent is free for it."""
    with capacity_lock(rt, record) as held:
        if not held or free_agents(rt, record) - unreserved_dialing(rt, record) <= 0:
            return False
        return start()
