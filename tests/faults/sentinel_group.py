"""Test support: a real Redis Sentinel group on loopback (a primary, its replica and one
Sentinel, each a redis-server process of the test's own on a free port, in a folder of its own),
with quick failure detection so a failover takes seconds."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any

import redis

from core.embedded_redis import redis_server_binary
from tests.processes import free_port, wait_for

SERVICE = "hotline-test"
"""The name the Sentinel knows the primary by."""


class SentinelGroup:
    """Starts and stops the group; a context manager."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.primary_port = free_port()
        self.replica_port = free_port()
        self.sentinel_port = free_port()
        self._processes: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        """REDIS_URL for Hotline: the primary as the Sentinel names it."""
        return f"redis+sentinel://127.0.0.1:{self.sentinel_port}/{SERVICE}"

    def __enter__(self) -> SentinelGroup:
        try:
            self._start_all()
        except BaseException:
            self._stop_all()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop_all()

    def _start_all(self) -> None:
        self._server("primary", self.primary_port)
        self._server("replica", self.replica_port,
                     "--replicaof", "127.0.0.1", str(self.primary_port))
        self._sentinel()
        wait_for(lambda: _replication(self.replica_port).get("master_link_status") == "up",
                 "the replica to follow the primary")
        wait_for(lambda: ask(self.sentinel_port, "SENTINEL", "REPLICAS", SERVICE),
                 "the Sentinel to find the replica")

    def _stop_all(self) -> None:
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            process.wait(timeout=30)

    def primary_named(self) -> int:
        """The port of the server the Sentinel names as the primary to its clients now
        (`SENTINEL MASTER`, which redis-py asks; it changes when the failover is over)."""
        with redis.Redis(port=self.sentinel_port, socket_timeout=5) as client:
            return int(client.sentinel_master(SERVICE)["port"])

    def fail_over(self) -> None:
        """Sentinel's forced failover, whole: returns once the old primary has been made a
        replica of the new one and its clients disconnected (until then it still takes
        writes, which it drops when it starts following the new one)."""
        self.promote()
        wait_for(lambda: _replication(self.primary_port).get("master_port") == self.replica_port,
                 "the Sentinel to make the old primary follow the new")

    def promote(self) -> None:
        """Sentinel's forced failover, up to the replica's promotion (the Sentinel names it)."""
        ask(self.sentinel_port, "SENTINEL", "FAILOVER", SERVICE)
        wait_for(lambda: self.primary_named() == self.replica_port,
                 "the Sentinel to promote the replica")

    def _server(self, name: str, port: int, *options: str) -> None:
        folder = self.root / name
        folder.mkdir(parents=True)
        self._start([redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1",
                     "--dir", str(folder), "--save", "", "--appendonly", "no", *options],
                    folder)
        wait_for(lambda: _answers(port), f"the {name} to answer")

    def _sentinel(self) -> None:
        folder = self.root / "sentinel"
        folder.mkdir(parents=True)
        # A Sentinel rewrites its configuration file as it learns: it must be writable.
        config = folder / "sentinel.conf"
        config.write_text("\n".join([
            f"port {self.sentinel_port}",
            "bind 127.0.0.1",
            f"dir {folder}",
            f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary_port} 1",
            f"sentinel down-after-milliseconds {SERVICE} 1000",
            f"sentinel failover-timeout {SERVICE} 5000",
        ]) + "\n")
        self._start([redis_server_binary(), str(config), "--sentinel"], folder)
        wait_for(lambda: _answers(self.sentinel_port), "the Sentinel to answer")

    def _start(self, command: list[str], folder: Path) -> None:
        with (folder / "server.log").open("ab") as log:
            self._processes.append(subprocess.Popen(command, stdout=log,
                                                    stderr=subprocess.STDOUT))



def ask(port: int, *command: str | int) -> Any:
    """One command to one server of the group (as it is, not following the primary)."""
    with redis.Redis(port=port, socket_timeout=5) as client:
        return client.execute_command(*command)


def _replication(port: int) -> dict[str, Any]:
    with redis.Redis(port=port, socket_timeout=5) as client:
        found: dict[str, Any] = client.info("replication")
        return found


def _answers(port: int) -> bool:
    try:
        return bool(ask(port, "PING"))
    except redis.ConnectionError:
        return False
