"""`hotline bridge`: keeps tickets in step with calls (projects the call-event stream)."""

from __future__ import annotations

import os
import signal
import socket
import threading

import click

from core.clock import SystemClock
from core.deps import connect
from core.session import SessionStore
from core.settings import Settings
from hotline.server import redis_for
from tickets_bridge.projector import Projector
from tickets_bridge.schema import database_url, open_engine, upgrade
from tickets_bridge.store import TicketStore


@click.command()
def bridge() -> None:
    """Project every call's events onto its ticket (run one or more per deployment)."""
    settings = Settings.from_env()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with redis_for(settings) as (redis_url, origin):
        engine = open_engine(database_url(settings.database_url, settings.data_dir))
        upgrade(engine)
        client = connect(redis_url)
        sessions = SessionStore(client, settings.session_ttl)
        projector = Projector(client, TicketStore(engine), sessions, SystemClock(),
                              settings.ticket_attach_window)
        consumer = f"{socket.gethostname()}-{os.getpid()}"
        click.echo(f"hotline bridge: Redis {origin}; tickets in {engine.url.render_as_string()}")
        projector.run(consumer, stop)
        engine.dispose()
