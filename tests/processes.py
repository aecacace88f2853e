"""Test support: run Hotline's own commands as real processes and watch what they leave behind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

HOTLINE = str(Path(sys.executable).parent / "hotline")
WAIT_LIMIT = 30.0
"""Seconds a process gets to come up or go away before the test gives up (not a timing claim)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hotline_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(HOTLINE_DATA_DIR=str(data_dir), HOTLINE_BIND=f"127.0.0.1:{port}",
               HOTLINE_PUBLIC_URL=f"http://127.0.0.1:{port}", HOTLINE_WEB_WORKERS="1",
               # serve's pointer for commands run elsewhere (hotline.running), not in $HOME
               XDG_STATE_HOME=str(data_dir / "state"), **extra)
    return env


def wait_for(check: object, what: str) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


def redis_pid(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.info("server")["process_id"])
    finally:
        client.close()


def start_serve(data_dir: Path, port: int, *options: str,
                own_group: bool = False) -> subprocess.Popen[str]:
    """`hotline serve` listening on `port`; with `own_group`, as the leader of a process group
    of its own, as a terminal would run it (so that Ctrl-C can be sent to the whole group)."""
    process = subprocess.Popen([HOTLINE, "serve", *options], env=hotline_env(data_dir, port),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=own_group)
    wait_for(lambda: answers(port) or process.poll() is not None, "hotline serve to listen")
    assert process.poll() is None, process.communicate()[0]
    return process
