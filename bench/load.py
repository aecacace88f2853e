"""Driving wrk: pre-signed request files in, requests/s and latency percentiles out."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import tempfile
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

from twilio.request_validator import RequestValidator

LUA = Path(__file__).with_name("wrk_requests.lua")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Load:
    """One wrk run's outcome; `failures` counts non-2xx answers and socket errors."""

    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    failures: int
    repeated: int = 0
    """Requests sent again after a thread ran out of prepared lines."""


def ensure_wrk() -> None:
    """Install wrk from Debian's packages when it is missing (as root, else through sudo)."""
    if shutil.which("wrk"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True)


def wrk_version() -> str:
    """wrk's version as it prints it (`wrk -v` exits non-zero by design)."""
    shown = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return shown[1] if len(shown) > 1 else "unknown"


def write_requests(path: Path, public_url: str, token: str, target: str,
                   forms: list[dict[str, str]]) -> None:
    """One signed POST of each form to `target`, each with its own idempotency token."""
    validator = RequestValidator(token)
    with path.open("w") as out:
        for form in forms:
            signature = validator.compute_signature(public_url + target, form)
            body = urllib.parse.urlencode(form)
            out.write(f"{target}\t{signature}\t{uuid.uuid4().hex}\t{body}\n")


def run_max(url: str, requests_file: Path, seconds: int, connections: int,
            threads: int) -> Load:
    """As many requests as `connections` connections can make in `seconds`."""
    output, report = _wrk(url, requests_file, seconds, connections, threads, {})
    return parse(output, report)


def run_paced(url: str, requests_file: Path, seconds: int, connections: int,
              rate: float) -> Load:
    """`rate` requests/s in all, on a fixed schedule, latency counted from when each was due."""
    extra = {"WRK_RATE": f"{rate / connections:.6f}"}
    output, report = _wrk(url, requests_file, seconds, connections, connections, extra)
    latencies = sorted(float(v) for k, v in _pairs(report) if k == "latency")
    if not latencies:
        raise ValueError(f"paced wrk run recorded no latencies:\n{output}")
    centiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return parse(output, report, p50_ms=centiles[49], p99_ms=centiles[98])


def _wrk(url: str, requests_file: Path, seconds: int, connections: int, threads: int,
         extra: dict[str, str]) -> tuple[str, str]:
    with tempfile.NamedTemporaryFile("r", suffix=".wrk") as report:
        env = {**os.environ, **extra, "WRK_REQUESTS": str(requests_file),
               "WRK_THREADS": str(threads), "WRK_REPORT": report.name}
        done = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
             "-s", str(LUA), url],
            env=env, capture_output=True, text=True, check=True,
        )
        return done.stdout, report.read()


def parse(output: str, report: str, p50_ms: float | None = None,
          p99_ms: float | None = None) -> Load:
    """A Load from wrk's output and the Lua script's report; latencies from wrk unless given."""
    failures = int(_find(r"Non-2xx or 3xx responses: (\d+)", output, "0"))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    if errors:
        failures += sum(int(n) for n in errors.groups())
    counts = _per_thread(report)
    failures += sum(counts["errors"])
    repeated = sum(max(0, sent - lines) for sent, lines in zip(counts["sent"], counts["lines"],
                                                              strict=True))
    return Load(
        requests=int(_find(r"(\d+) requests in", output)),
        rps=float(_find(r"Requests/sec:\s+([\d.]+)", output)),
        p50_ms=_latency("50%", output) if p50_ms is None else p50_ms,
        p99_ms=_latency("99%", output) if p99_ms is None else p99_ms,
        failures=failures,
        repeated=repeated,
    )


def _per_thread(report: str) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {"lines": [], "sent": [], "errors": []}
    for key, value in _pairs(report):
        if key in counts:
            counts[key].append(int(value))
    return counts


def _pairs(report: str) -> list[tuple[str, str]]:
    return [(key, value) for key, _, value in (line.partition(" ") for line in report.splitlines())]


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
