"""REDIS_URL's Sentinel form: what a well-formed one connects to, and what a malformed one is
told (the variable, what is wrong, the expected form, never the password)."""

from __future__ import annotations

import pytest
import redis

from core.deps import close, connect
from core.errors import ConfigError


def _sentinels(client: redis.Redis) -> list[tuple[str, int]]:
    manager = client.connection_pool.sentinel_manager  # type: ignore[attr-defined]
    found = [s.connection_pool.connection_kwargs for s in manager.sentinels]
    return [(kwargs["host"], kwargs["port"]) for kwargs in found]


def test_a_sentinel_url_names_the_sentinels_the_service_and_the_database() -> None:
    client = connect("redis+sentinel://:s%40cret@10.0.0.1:26380,sentinel-b,[::1]:26381"
                     "/hotline/2?sentinel_password=watch")
    try:
        pool = client.connection_pool
        assert _sentinels(client) == [("10.0.0.1", 26380), ("sentinel-b", 26379), ("::1", 26381)]
        assert pool.service_name == "hotline"  # type: ignore[attr-defined]
        assert pool.connection_kwargs["db"] == 2
        assert pool.connection_kwargs["password"] == "s@cret"
        manager = pool.sentinel_manager  # type: ignore[attr-defined]
        assert manager.sentinels[0].connection_pool.connection_kwargs["password"] == "watch"
    finally:
        close(client)


@pytest.mark.parametrize(("url", "told"), [
    ("redis+sentinel://:pw@host1:26379", "service name"),
    ("redis+sentinel://:pw@host1:26379/", "service name"),
    ("redis+sentinel://:pw@host1:26379/hotline/zero", "database 'zero'"),
    ("redis+sentinel://:pw@host1:port/hotline", "port 'port'"),
    ("redis+sentinel://:pw@host1:26379,/hotline", "host is missing"),
    ("redis+sentinel://pw@host1/hotline", "user:password"),
    ("redis+sentinel://:pw@host1/hotline?master=x", "unknown option master"),
    ("http://:pw@host1:6379/0", "redis+sentinel://"),
])
def test_a_malformed_redis_url_is_refused_with_what_is_wrong(url: str, told: str) -> None:
    with pytest.raises(ConfigError) as refused:
        connect(url)
    message = str(refused.value)
    assert message.startswith("REDIS_URL: ")
    assert told in message
    assert "pw" not in message
