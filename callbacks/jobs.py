"""RQ entry points of callbacks, enqueued by dotted path, and how they are scheduled.

`callbacks.jobs.agent_ready(callback_id, agent_id)` is the contract with the queues side: it
enqueues it when an agent it reserved for the task `cb:<callback_id>` should get that callback.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import redis
from rq import Queue

from callbacks import dialer
from callbacks.pacing import Pacer
from callbacks.runtime import Runtime, Schedule
from callbacks.store import CallbackStore
from callbacks.sweep import sweep as sweep_once
from core import keys
from core.clock import Clock, SystemClock
from core.deps import connect
from core.errors import ConfigError
from core.session import SessionStore
from core.settings import Settings
from core.telephony import Telephony, telephony_for
from queues.queue_store import QueueStore

QUEUE = "hotline-high"
"""Callbacks are time-critical: the worker serves this queue first."""

SWEEP_EVERY = 15
"""Seconds between sweeps (see callbacks.sweep)."""

SWEEP_LOCK = keys.PREFIX + ":callbacks:sweep-scheduled"


def scheduler(queue: Queue) -> Schedule:
    """Schedules `dial_due` on `queue` (the worker's scheduler enqueues it when due)."""
    def schedule(callback_id: str, at: datetime) -> None:
        queue.enqueue_at(at, "callbacks.jobs.dial_due", callback_id)

    return schedule


def runtime(settings: Settings, client: redis.Redis, clock: Clock | None = None,
            telephony: Telephony | None = None) -> Runtime:
    """The callbacks runtime over `client`, scheduling on the RQ queue there."""
    queue = Queue(QUEUE, connection=client)
    return Runtime(settings=settings, redis=client, store=CallbackStore(client),
                   sessions=SessionStore(client, settings.session_ttl),
                   telephony=telephony or telephony_for(settings, client),
                   queues=QueueStore(client),
                   pacer=Pacer(client, settings.callbacks.cps), clock=clock or SystemClock(),
                   schedule=scheduler(queue))


def ensure_sweep(client: redis.Redis) -> None:
    """Schedule the next sweep unless one is scheduled already (the lock outlives a few
    intervals, so a sweep lost with a killed worker is replaced soon after)."""
    if client.set(SWEEP_LOCK, "1", nx=True, ex=SWEEP_EVERY * 3):
        Queue(QUEUE, connection=client).enqueue_in(timedelta(seconds=SWEEP_EVERY),
                                                   "callbacks.jobs.sweep")


def dial_due(callback_id: str) -> str:
    """Job: the callback is due; dial it or put it in line."""
    rt = _from_env()
    try:
        ensure_sweep(rt.redis)
        return dialer.due(rt, callback_id)
    finally:
        rt.redis.close()


def agent_ready(callback_id: str, agent_id: str) -> str:
    """Job (queues side): `agent_id` is reserved for `cb:<callback_id>`; dial for them."""
    rt = _from_env()
    try:
        return dialer.agent_ready(rt, callback_id, agent_id)
    finally:
        rt.redis.close()


def sweep() -> str:
    """Job: one sweep, then the next one scheduled."""
    rt = _from_env()
    try:
        done = sweep_once(rt)
        rt.redis.delete(SWEEP_LOCK)
        ensure_sweep(rt.redis)
        return f"rescheduled {done.rescheduled}, recovered {done.recovered}"
    finally:
        rt.redis.close()


def _from_env() -> Runtime:
    settings = Settings.from_env()
    url = settings.redis_url or os.environ.get("REDIS_URL")
    if not url:
        raise ConfigError("REDIS_URL: the worker passes it to jobs")
    return runtime(settings, connect(url))
