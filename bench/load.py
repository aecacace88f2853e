"""Driving wrk: pre-signed request files in, requests/s and latency percentiles out."""

from __future__ import annotations

import os
import re
import subprocess
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

from twilio.request_validator import RequestValidator

LUA = Path(__file__).with_name("wrk_requests.lua")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Load:
    """One wrk run's outcome."""

    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    failures: int


def write_requests(path: Path, public_url: str, token: str, step_path: str,
                   forms: list[dict[str, str]]) -> None:
    """One signed request per form, as wrk_requests.lua reads them."""
    validator = RequestValidator(token)
    with path.open("w") as out:
        for form in forms:
            signature = validator.compute_signature(public_url + step_path, form)
            body = urllib.parse.urlencode(form)
            out.write(f"{step_path}\t{signature}\t{uuid.uuid4().hex}\t{body}\n")


def run_wrk(url: str, requests_file: Path, seconds: int, connections: int, threads: int,
            delay_ms: float = 0.0) -> Load:
    """Run wrk against `url` with the requests in `requests_file`; raise on any failure."""
    env = {**os.environ, "WRK_REQUESTS": str(requests_file), "WRK_THREADS": str(threads),
           "WRK_DELAY_MS": f"{delay_ms:.3f}"}
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-s", str(LUA), url],
        env=env, capture_output=True, text=True, check=True,
    )
    return parse(done.stdout)


def parse(output: str) -> Load:
    requests = int(_find(r"(\d+) requests in", output))
    failures = int(_find(r"Non-2xx or 3xx responses: (\d+)", output, "0"))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    if errors:
        failures += sum(int(n) for n in errors.groups())
    return Load(
        requests=requests,
        rps=float(_find(r"Requests/sec:\s+([\d.]+)", output)),
        p50_ms=_latency("50%", output),
        p99_ms=_latency("99%", output),
        failures=failures,
    )


def _latency(label: str, output: str) -> float:
    match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if match is None:
        raise ValueError(f"no {label} latency in wrk output:\n{output}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _find(pattern: str, output: str, default: str | None = None) -> str:
    match = re.search(pattern, output)
    if match is None:
        if default is None:
            raise ValueError(f"{pattern!r} not in wrk output:\n{output}")
        return default
    return match.group(1)
