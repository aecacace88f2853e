"""`hotline bridge`: keeps tickets in step with calls and queues their delivery to helpdesks."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time

import click
from rq import Queue

from core.clock import SystemClock
from core.deps import connect
from core.session import SessionStore
from hotline import logs
from hotline.running import command_settings
from hotline.server import redis_for
from tickets_bridge.delivery import Deliverer
from tickets_bridge.jobs import QUEUE, configured_bridges, enqueue_delivery, sweep_delivery
from tickets_bridge.projector import Projector
from tickets_bridge.schema import database_url, open_engine, upgrade
from tickets_bridge.store import TicketStore

RETRY_SECONDS = 1.0
"""How long the bridge waits after a pass failed (the ticket store or Redis unreachable)
before trying again; the events wait in the stream meanwhile."""

log = logging.getLogger(__name__)


@click.command()
def bridge() -> None:
    """Project every call's events onto its ticket and queue helpdesk deliveries."""
    settings = command_settings()
    logs.configure(settings.log_format, level=logs.level_of(settings.log_level))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with redis_for(settings) as (redis_url, origin):
        engine = open_engine(database_url(settings.database_url, settings.data_dir))
        upgrade(engine)
        client = connect(redis_url)
        store = TicketStore(engine)
        bridges = list(configured_bridges(settings))
        queue = Queue(QUEUE, connection=client)

        def deliver(ticket_id: int) -> None:
            for name in bridges:
                enqueue_delivery(queue, name, ticket_id)

        projector = Projector(client, store, SessionStore(client, settings.session_ttl),
                              SystemClock(), settings.ticket_attach_window,
                              bridges=bridges, on_outbox=deliver)
        click.echo(f"hotline bridge: Redis {origin}; tickets in "
                   f"{engine.url.render_as_string()}; helpdesks: {', '.join(bridges) or 'none'}")
        _loop(projector, Deliverer(store, client, SystemClock()), queue, bridges,
              settings.delivery.sweep_seconds, stop)
        engine.dispose()


def _loop(projector: Projector, deliverer: Deliverer, queue: Queue, bridges: list[str],
          sweep_seconds: int, stop: threading.Event) -> None:
    """Project until `stop`; every `sweep_seconds`, one more attempt at each ticket whose
    changes a helpdesk has not taken (it is down, or the worker delivering them died)."""
    consumer = f"{socket.gethostname()}-{os.getpid()}"
    projector.ensure_group()
    next_sweep = time.monotonic() + sweep_seconds
    while not stop.is_set():
        try:
            projector.project_once(consumer, block_ms=1000)
            if bridges and time.monotonic() >= next_sweep:
                for name, ticket_id in deliverer.pending_tickets(bridges):
                    sweep_delivery(queue, name, ticket_id)
                next_sweep = time.monotonic() + sweep_seconds
        except Exception:
            # Unacknowledged, the batch stays pending in the stream and is read again.
            log.exception("hotline bridge: pass failed; trying again")
            stop.wait(RETRY_SECONDS)
