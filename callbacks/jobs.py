"""RQ entry points of callbacks, enqueued by dotted path, and how they are scheduled.

`callbacks.jobs.agent_ready(callback_id, agent_id)` is the contract with the queues side: it
enqueues it when an agent it reserved for the task `cb:<callback_id>` should get that callback.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import redis
from rq import Queue

from callbacks import dialer
from callbacks.pacing import Pacer
from callbacks.runtime import Runtime, Schedule
from callbacks.store import CallbackStore
from callbacks.sweep import sweep as sweep_once
from core.clock import Clock, SystemClock
from core.deps import connect, deps
from core.errors import ConfigError
from core.session import SessionStore
from core.settings import Settings
from core.telephony import Telephony, TwilioTelephony, telephony_for
from queues.queue_store import QueueStore

QUEUE = "hotline-high"
"""Callbacks are time-critical: the worker serves this queue first."""

log = logging.getLogger(__name__)

TelephonyFactory = Callable[[Settings, redis.Redis], Telephony]

_telephony_factory: TelephonyFactory = telephony_for


def use_telephony(factory: TelephonyFactory) -> None:
    """Make this process's jobs (and the work horses it forks) reach the phone network through
    `factory` instead of what the settings say; for a worker that runs against a mock."""
    global _telephony_factory
    _telephony_factory = factory


def scheduler(queue: Queue) -> Schedule:
    """Schedules `dial_due` on `queue` (the worker's scheduler enqueues it when due)."""
    def schedule(callback_id: str, at: datetime) -> None:
        # Due now: straight onto the queue, so it never waits on the scheduler's lock. Later:
        # one scheduler tick early (the scheduler looks once a second); the job waits the rest.
        early = at - timedelta(seconds=dialer.EARLY)
        if early <= datetime.now(at.tzinfo):
            queue.enqueue("callbacks.jobs.dial_due", callback_id)
        else:
            queue.enqueue_at(early, "callbacks.jobs.dial_due", callback_id)

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


def dial_due(callback_id: str) -> str:
    """Job: the callback is due; dial it or put it in line."""
    rt = from_env()
    try:
        return dialer.due(rt, callback_id)
    finally:
        rt.redis.close()


def agent_ready(callback_id: str, agent_id: str) -> str:
    """Job (queues side): `agent_id` is reserved for `cb:<callback_id>`; dial for them."""
    rt = from_env()
    try:
        return dialer.agent_ready(rt, callback_id, agent_id)
    finally:
        rt.redis.close()


def current() -> Runtime:
    """The runtime of the app handling this request (its settings, Redis, clock, telephony)."""
    d = deps()
    return runtime(d.settings, d.redis, d.clock, d.telephony)


def prepare_worker(settings: Settings, redis_url: str) -> threading.Event:
    """What a worker process does before taking jobs: warm up the REST client, start the
    sweeper (the returned event stops it)."""
    client = connect(redis_url)
    warm_up(_telephony_factory(settings, client))
    return start_sweeper(settings, redis_url)


def warm_up(telephony: Telephony) -> None:
    """Import what the twilio client imports lazily on first use, once in the worker, so each
    forked work horse does not pay for it again (tens of milliseconds per call)."""
    if isinstance(telephony, TwilioTelephony):
        telephony.client.calls.create  # noqa: B018 - touching it imports the Calls resource


def start_sweeper(settings: Settings, redis_url: str) -> threading.Event:
    """Run sweeps in a daemon thread of this process until the returned event is set."""
    stop = threading.Event()
    thread = threading.Thread(target=_sweep_loop, args=(settings, redis_url, stop),
                              name="callback-sweeper", daemon=True)
    thread.start()
    return stop


def _sweep_loop(settings: Settings, redis_url: str, stop: threading.Event) -> None:
    rt = runtime(settings, connect(redis_url))
    while not stop.wait(settings.callbacks.sweep_every):
        try:
            sweep_once(rt)
        except Exception:  # a sweep that fails (Redis restarting) is tried again next time
            log.exception("callback sweep failed")


def from_env() -> Runtime:
    """The runtime a job builds: settings and Redis from the environment the worker gave it."""
    settings = Settings.from_env()
    url = settings.redis_url or os.environ.get("REDIS_URL")
    if not url:
        raise ConfigError("REDIS_URL: the worker passes it to jobs")
    client = connect(url)
    return runtime(settings, client, telephony=_telephony_factory(settings, client))
