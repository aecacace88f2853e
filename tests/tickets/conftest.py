"""Ticket-store fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL is HOTLINE_TEST_POSTGRES_URL or postgresql://root@127.0.0.1:5432/test; each test gets
a schema of its own, dropped afterwards. `./dev test` (and so CI) starts one where none
answers and sets HOTLINE_TEST_POSTGRES_REQUIRED, so there an unreachable PostgreSQL fails the
run; elsewhere (a bare `pytest`) only those runs are skipped, with the reason shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import OperationalError

from core.clock import FixedClock
from core.deps import Dependencies
from tests.ivr_app import NOW, make_app
from tickets_bridge.projector import Projector
from tickets_bridge.schema import open_engine, throwaway_schema, upgrade
from tickets_bridge.store import TicketStore

POSTGRES_URL = os.environ.get("HOTLINE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://root@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = open_engine(f"sqlite:///{tmp_path / 'tickets.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    yield from _postgres_engine()


def postgres_reachable() -> None:
    """Skip the calling test's PostgreSQL run, saying why, where no PostgreSQL answers."""
    probe = create_engine(POSTGRES_URL)
    try:
        with probe.connect():
            pass
    except OperationalError as exc:
        why = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.orig}"
        if os.environ.get("HOTLINE_TEST_POSTGRES_REQUIRED"):
            pytest.fail(why)
        pytest.skip(why)
    finally:
        probe.dispose()


def _postgres_engine() -> Iterator[Engine]:
    postgres_reachable()
    with throwaway_schema(POSTGRES_URL) as engine:
        yield engine


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app(redis_url: str, clock: FixedClock) -> Flask:
    return make_app(redis_url, clock=clock)


@pytest.fixture
def store(engine: Engine) -> TicketStore:
    return TicketStore(engine)


@pytest.fixture
def projector(app: Flask, store: TicketStore, clock: FixedClock) -> Projector:
    deps: Dependencies = app.extensions["hotline"]
    projector = Projector(deps.redis, store, deps.sessions, clock)
    projector.ensure_group()
    return projector
