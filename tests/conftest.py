"""Shared fixtures: a real Redis (REDIS_URL, else Hotline's embedded one), flushed per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import redis

from core.embedded_redis import EmbeddedRedis

TEST_DB = 13
"""Redis database the suite uses on a shared server, so it never flushes someone's data."""


@pytest.fixture(scope="session", autouse=True)
def own_serve_pointer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every `hotline serve` the suite starts leaves its pointer (hotline.running) in a
    directory of the suite's, never in the home of whoever runs it: a test's serve would
    otherwise replace, then remove, the pointer of their own running server."""
    before = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    yield
    if before is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = before


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the Redis server the whole suite uses."""
    configured = os.environ.get("REDIS_URL")
    if configured:
        yield configured
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), persist=False)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server_url: str) -> Iterator[str]:
    """URL of an empty Redis database, flushed before and after the test."""
    url = _with_db(redis_server_url, TEST_DB)
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


def _with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    if parts.scheme == "unix":  # the embedded server: unix:///path/redis.sock?db=0
        query = urlencode({**dict(parse_qsl(parts.query)), "db": str(db)})
        return f"unix://{parts.path}?{query}"
    return urlunsplit(parts._replace(path=f"/{db}"))


@pytest.fixture(scope="session")
def twilio_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a mock of Twilio's REST API serving Twilio's own OpenAPI description."""
    from tests.twilio_rest import start_prism

    process, url = start_prism(tmp_path_factory.mktemp("prism") / "prism.log")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
