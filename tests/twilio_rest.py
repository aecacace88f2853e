"""Test support: Twilio's REST API stood in for by Stoplight Prism serving Twilio's own OpenAPI
description (tests/twilio_mock/, unchanged from twilio/twilio-oai), so a request Twilio would
reject is refused here too; and an HTTP client that records what the official client sent.

Prism keeps no state and answers the description's examples, so tests assert on what was sent.
One known Prism gap: it reads a form field repeated to make an array (Twilio's own encoding of
`StatusCallbackEvent`) as a single string and refuses it (stoplightio/prism#2473). The recording
client therefore sends repeated fields as `Name[]`, which Prism leaves unchecked, and keeps the
original values for tests to check.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from core.telephony import BaseUrlHttpClient
from tests.processes import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
PRISM = ROOT / "node_modules" / ".bin" / "prism"
DESCRIPTION = Path(__file__).parent / "twilio_mock" / "twilio_api_v2010.json"
ACCOUNT_SID = "AC" + "1" * 32


@dataclass(frozen=True)
class Sent:
    """One request the client sent: method, path, and its form fields (repeated ones as lists)."""

    method: str
    path: str
    form: dict[str, Any]
    status: int


class RecordingHttpClient(BaseUrlHttpClient):
    """The official HTTP client aimed at the mock, keeping a record of every request."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self.sent: list[Sent] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        data = kwargs.get("data") or {}
        form = {k: v for k, v in data.items()}
        repeated = {k: v for k, v in form.items() if isinstance(v, list)}
        if repeated:
            kwargs["data"] = {**{k: v for k, v in form.items() if k not in repeated},
                              **{f"{k}[]": v for k, v in repeated.items()}}
        response = super().request(method, url, *args, **kwargs)
        path = url.split("://", 1)[-1].split("/", 1)[-1]
        self.sent.append(Sent(method, "/" + path.split("?", 1)[0], form,
                              response.status_code))
        return response


def start_prism(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Prism serving Twilio's description on a free loopback port, and its base URL."""
    if not PRISM.exists():
        raise RuntimeError(f"{PRISM} is missing: `./dev test` installs it (npm ci)")
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "warn",
             str(DESCRIPTION)], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: _answers(url) or process.poll() is not None, "Prism to listen")
    if process.poll() is not None:
        raise RuntimeError(f"Prism exited: {log.read_text()[-2000:]}")
    return process, url


def _answers(url: str) -> bool:
    try:
        requests.get(f"{url}/2010-04-01/Accounts.json", timeout=1)
    except requests.ConnectionError:
        return False
    return True
