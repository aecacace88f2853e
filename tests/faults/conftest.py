"""What the fault tests share: a ticket store on the real PostgreSQL, in a schema of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.tickets.conftest import POSTGRES_URL, postgres_reachable
from tickets_bridge.schema import throwaway_schema


@pytest.fixture
def postgres_tickets() -> Iterator[Engine]:
    postgres_reachable()
    with throwaway_schema(POSTGRES_URL) as engine:
        yield engine
