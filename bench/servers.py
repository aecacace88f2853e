"""The servers under test, each a real process on a free loopback port, stopped on exit.

Hotline runs as `hotline serve` runs it in production; the baselines run under gunicorn with
the same worker class, threads and worker count that `hotline serve` uses.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.settings import default_web_workers
from hotline.server import GUNICORN_THREADS, GUNICORN_WORKER_CLASS
from tests.processes import answers, free_port, wait_for

WORKERS = default_web_workers()
"""gunicorn worker processes for every server: as many as `hotline serve` runs by default."""
SETTLE = 0.5
"""Seconds after a server first accepts a connection, for all its workers to be up."""


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def gunicorn_note() -> str:
    return f"{WORKERS} workers × {GUNICORN_THREADS} threads ({GUNICORN_WORKER_CLASS})"


@contextmanager
def hotline(redis_url: str, data_dir: Path) -> Iterator[Server]:
    """`hotline serve` itself, signatures checked against the dev auth token."""
    port = free_port()
    env = _hotline_env(redis_url, data_dir, port)
    env.update(HOTLINE_BIND=f"127.0.0.1:{port}", HOTLINE_WEB_WORKERS=str(WORKERS))
    with _process([str(Path(sys.executable).parent / "hotline"), "serve"], env, port) as server:
        yield server


@contextmanager
def hotline_fixed(redis_url: str, data_dir: Path) -> Iterator[Server]:
    """Hotline's app with the extra fixed-TwiML route, under the same gunicorn settings."""
    port = free_port()
    env = _hotline_env(redis_url, data_dir, port)
    with _process(_gunicorn(port, "bench.fixed_twiml:hotline_app()"), env, port) as server:
        yield server


@contextmanager
def bare() -> Iterator[Server]:
    """The minimal Flask app answering fixed TwiML, under the same gunicorn settings."""
    port = free_port()
    with _process(_gunicorn(port, "bench.fixed_twiml:bare_app()"), {"PATH": "/usr/bin:/bin"},
                  port) as server:
        yield server


def _hotline_env(redis_url: str, data_dir: Path, port: int) -> dict[str, str]:
    return {"REDIS_URL": redis_url, "HOTLINE_DATA_DIR": str(data_dir),
            "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{port}", "PATH": "/usr/bin:/bin"}


def _gunicorn(port: int, app: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-k", GUNICORN_WORKER_CLASS,
            "--threads", str(GUNICORN_THREADS), "-w", str(WORKERS),
            "-b", f"127.0.0.1:{port}", "--log-level", "warning", app]


@contextmanager
def _process(command: list[str], env: dict[str, str], port: int) -> Iterator[Server]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: answers(port) or process.poll() is not None, " ".join(command[-2:]))
        if process.poll() is not None:
            raise SystemExit(f"benchmark: {' '.join(command)} exited with {process.returncode}")
        time.sleep(SETTLE)
        yield Server(f"http://127.0.0.1:{port}", process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
