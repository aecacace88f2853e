"""Processes starting together on a new ticket store (web workers, the bridge, other hosts)
all find it migrated: they migrate one at a time."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from tests.tickets.conftest import POSTGRES_URL, postgres_reachable
from tickets_bridge.schema import open_engine, throwaway_schema, upgrade

STARTING = 6


@pytest.fixture(params=["sqlite", "postgresql"])
def new_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tickets.db'}"
        return
    postgres_reachable()
    with throwaway_schema(POSTGRES_URL, migrated=False) as engine:
        yield engine.url.render_as_string(hide_password=False)


def _start(url: str, ready: multiprocessing.synchronize.Barrier) -> None:
    engine = open_engine(url)
    ready.wait()
    upgrade(engine)


def test_processes_starting_together_on_a_new_store_all_start(new_store_url: str) -> None:
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(STARTING)
    starting = [context.Process(target=_start, args=(new_store_url, ready))
                for _ in range(STARTING)]
    for process in starting:
        process.start()
    for process in starting:
        process.join(60)
    assert [p.exitcode for p in starting] == [0] * STARTING
    engine = open_engine(new_store_url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert len(versions) == 1
    assert "tickets" in inspect(engine).get_table_names()
    engine.dispose()
