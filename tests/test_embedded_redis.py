"""The embedded Redis: reachable by its own user only, wherever the data directory lies."""

from __future__ import annotations

import stat
from pathlib import Path

import redis

from core.embedded_redis import SOCKET_PATH_MAX, EmbeddedRedis


def test_it_listens_on_a_socket_only_its_user_may_open_and_on_no_tcp_port(
    tmp_path: Path,
) -> None:
    with EmbeddedRedis(tmp_path, persist=False) as server:
        socket_path = tmp_path / "redis.sock"
        assert server.url == f"unix://{socket_path.resolve()}?db=0"
        assert stat.S_IMODE(socket_path.stat().st_mode) == 0o700
        client = redis.Redis.from_url(server.url)
        assert client.info("server")["tcp_port"] == 0
        client.close()
    assert not socket_path.exists()


def test_a_data_directory_too_deep_for_a_socket_path_gets_a_private_one(
    tmp_path: Path,
) -> None:
    deep = tmp_path / ("d" * SOCKET_PATH_MAX)
    with EmbeddedRedis(deep, persist=False) as server:
        socket_dir = Path(server.url.removeprefix("unix://").split("?")[0]).parent
        assert socket_dir != deep.resolve()
        assert stat.S_IMODE(socket_dir.stat().st_mode) == 0o700
        assert redis.Redis.from_url(server.url).set("works", 1)
    assert not socket_dir.exists()
