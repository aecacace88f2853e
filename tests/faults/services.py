"""Test support: Hotline's background commands (`hotline worker`, `hotline bridge`) as real
processes on the test's Redis, each logging to a file in its data directory."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.processes import HOTLINE


def start(command: str, redis_url: str, data_dir: Path, **env: str) -> subprocess.Popen[bytes]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TWILIO_", "HOTLINE_", "REDIS_URL", "DATABASE_URL"))}
    clean.update(REDIS_URL=redis_url, HOTLINE_DATA_DIR=str(data_dir), **env)
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / f"{command}.log").open("ab") as log:
        return subprocess.Popen([HOTLINE, command], env=clean, stdout=log,
                                stderr=subprocess.STDOUT)


def stop(*processes: subprocess.Popen[bytes]) -> None:
    """A warm shutdown of each (SIGTERM), waited for."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(timeout=30)
