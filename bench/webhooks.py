"""Benchmark: Hotline's incoming-call and menu-step webhooks against a fixed-TwiML server.

Both run under gunicorn with the same worker class, threads and process count; Hotline checks
every signature and writes every step to Redis. Run with `./dev bench`; results go to
docs/BENCHMARKS.md. Requests are signed ahead of time so that wrk, not Python, makes the load.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import redis
from twilio.request_validator import RequestValidator

from bench.fixed_twiml import FIXED_PATH
from bench.load import Load, run_wrk, write_requests
from bench.report import Row, write_report
from core.embedded_redis import EmbeddedRedis, redis_server_binary
from core.settings import DEV_AUTH_TOKEN, Settings
from hotline.app import create_app
from hotline.server import GUNICORN_THREADS, GUNICORN_WORKER_CLASS
from tests.processes import answers, free_port, wait_for

RUNS = 3
SECONDS = 8
CONNECTIONS = 32
THREADS = 2
WORKERS = 2
CALLS_PER_RUN = 40_000
"""Distinct calls prepared per run and scenario: more than a run can use, so no step repeats."""

HALF_LOAD_CONNECTIONS = 8
BASELINE = "fixed TwiML, same server (baseline)"
BARE = "fixed TwiML, bare Flask (context)"
HOTLINE_SCENARIOS = ("incoming call", "menu step")


@dataclass(frozen=True)
class Scenario:
    name: str
    url: str
    files: list[Path]
    """One request file per run: max-load runs first, then half-load runs."""
    at_half_load: bool = True


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp), persist=False) as store:
        work = Path(tmp)
        with hotline_server(store.url) as hotline, same_server(store.url) as fixed, \
                bare_server() as bare:
            scenarios = prepare(work, store.url, hotline, fixed, bare)
            maxima = {s.name: measure_max(s) for s in scenarios}
            halves = {s.name: measure_half(s, maxima[s.name]) for s in scenarios
                      if s.at_half_load}
            check_written(store.url)
    rows = [Row(s.name, maxima[s.name], halves.get(s.name, [])) for s in scenarios]
    write_report(Path("docs/BENCHMARKS.md"), rows, machine(), settings_note())
    print(Path("docs/BENCHMARKS.md").read_text())


def prepare(work: Path, redis_url: str, hotline: str, fixed: str, bare: str) -> list[Scenario]:
    """Signed request files: per run, new calls for `incoming` and waiting calls for `menu`."""
    template = create_template_call(hotline, redis_url)
    incoming, menu, baseline = [], [], []
    for run in range(RUNS * 2):
        path = work / f"fixed-{run}.txt"
        write_requests(path, fixed, DEV_AUTH_TOKEN, FIXED_PATH,
                       [call_form(f"CA{run:04d}fx{i:026d}") for i in range(CALLS_PER_RUN)])
        baseline.append(path)
        path = work / f"incoming-{run}.txt"
        write_requests(path, hotline, DEV_AUTH_TOKEN, "/voice/incoming",
                       [call_form(f"CA{run:04d}in{i:026d}") for i in range(CALLS_PER_RUN)])
        incoming.append(path)
        sids = [f"CA{run:04d}mn{i:026d}" for i in range(CALLS_PER_RUN)]
        clone_call(redis_url, template, sids)
        path = work / f"menu-{run}.txt"
        write_requests(path, hotline, DEV_AUTH_TOKEN, "/voice/menu?s=1",
                       [call_form(sid, Digits="1") for sid in sids])
        menu.append(path)
    return [
        Scenario(BASELINE, fixed, baseline),
        Scenario(HOTLINE_SCENARIOS[0], hotline, incoming),
        Scenario(HOTLINE_SCENARIOS[1], hotline, menu),
        Scenario(BARE, bare, baseline, at_half_load=False),
    ]


def measure_max(scenario: Scenario) -> list[Load]:
    loads = []
    for run in range(RUNS):
        load = run_wrk(scenario.url, scenario.files[run], SECONDS, CONNECTIONS, THREADS)
        loads.append(checked(scenario.name, load))
    return loads


def measure_half(scenario: Scenario, maxima: list[Load]) -> list[Load]:
    """Latency at half of the scenario's median maximum throughput, paced per connection.

    wrk paces by a delay after each response, so a short calibration run first learns the
    response time to subtract, to land near the target rate."""
    rate = statistics.median(load.rps for load in maxima) / 2
    spacing_ms = HALF_LOAD_CONNECTIONS * 1000 / rate
    probe = run_wrk(scenario.url, scenario.files[RUNS], 3, HALF_LOAD_CONNECTIONS, 1, spacing_ms)
    response_ms = max(0.0, HALF_LOAD_CONNECTIONS * 1000 / probe.rps - spacing_ms)
    delay_ms = max(0.0, spacing_ms - response_ms)
    loads = []
    for run in range(RUNS):
        load = run_wrk(scenario.url, scenario.files[RUNS + run], SECONDS,
                       HALF_LOAD_CONNECTIONS, 1, delay_ms)
        loads.append(checked(f"{scenario.name} at half load", load))
    return loads


def checked(name: str, load: Load) -> Load:
    """`load`, after making sure every request succeeded and no request was repeated."""
    print(f"  {name}: {load.rps:,.0f} req/s, p50 {load.p50_ms:.2f} ms, p99 {load.p99_ms:.2f} ms",
          flush=True)
    if load.failures:
        raise SystemExit(f"benchmark invalid: {name}: {load.failures} failed requests")
    if name.startswith(HOTLINE_SCENARIOS) and load.requests > CALLS_PER_RUN:
        raise SystemExit(f"benchmark invalid: {name} made more requests than calls prepared")
    return load


def create_template_call(public_url: str, redis_url: str) -> str:
    """One real call answered by Hotline's own code, waiting at the language question."""
    app = create_app(Settings(public_url=public_url), redis_url)
    sid = "CA" + "f" * 32
    form = call_form(sid)
    signature = RequestValidator(DEV_AUTH_TOKEN).compute_signature(
        public_url + "/voice/incoming", form)
    reply = app.test_client().post("/voice/incoming", data=form,
                                   headers={"X-Twilio-Signature": signature})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return sid


def clone_call(redis_url: str, template: str, sids: list[str]) -> None:
    """Copy the template call's session and event log to `sids`, as if each had just begun."""
    client = redis.Redis.from_url(redis_url)
    session = client.dump(f"hotline:call:{template}")
    events = client.dump(f"hotline:call:{template}:events")
    pipe = client.pipeline(transaction=False)
    for index, sid in enumerate(sids, 1):
        pipe.restore(f"hotline:call:{sid}", 0, session, replace=True)
        pipe.restore(f"hotline:call:{sid}:events", 0, events, replace=True)
        if index % 2000 == 0:
            pipe.execute()
    pipe.execute()
    client.close()


def check_written(redis_url: str) -> None:
    """Hotline really stored what it answered: decisions and moved sessions are in Redis."""
    client = redis.Redis.from_url(redis_url)
    moved = client.hget(f"hotline:call:CA0000mn{1:026d}", "node")
    created = client.exists(f"hotline:call:CA0000in{1:026d}")
    client.close()
    if moved != b"main" or not created:
        raise SystemExit("benchmark invalid: Hotline did not store the steps it answered")


def call_form(sid: str, **extra: str) -> dict[str, str]:
    return {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": "+14155550123",
            "To": "+18005550100", "CallStatus": "in-progress", "Direction": "inbound",
            "ApiVersion": "2010-04-01", **extra}


@contextmanager
def hotline_server(redis_url: str) -> Iterator[str]:
    port = free_port()
    env = {"REDIS_URL": redis_url, "HOTLINE_BIND": f"127.0.0.1:{port}",
           "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{port}", "HOTLINE_WEB_WORKERS": str(WORKERS),
           "PATH": "/usr/bin:/bin"}
    with _process([str(Path(sys.executable).parent / "hotline"), "serve"], env, port) as url:
        yield url


@contextmanager
def same_server(redis_url: str) -> Iterator[str]:
    port = free_port()
    env = {"REDIS_URL": redis_url, "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "PATH": "/usr/bin:/bin"}
    with _process(_gunicorn(port, "bench.fixed_twiml:same_server()"), env, port) as url:
        yield url


@contextmanager
def bare_server() -> Iterator[str]:
    port = free_port()
    with _process(_gunicorn(port, "bench.fixed_twiml:bare"), {"PATH": "/usr/bin:/bin"},
                  port) as url:
        yield url


def _gunicorn(port: int, app: str) -> list[str]:
    """gunicorn with the settings `hotline serve` uses."""
    return [sys.executable, "-m", "gunicorn", "-k", GUNICORN_WORKER_CLASS,
            "--threads", str(GUNICORN_THREADS), "-w", str(WORKERS),
            "-b", f"127.0.0.1:{port}", "--log-level", "warning", app]


@contextmanager
def _process(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: answers(port), " ".join(command[-2:]))
        time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    redis_version = subprocess.run([redis_server_binary(), "--version"],
                                   capture_output=True, text=True).stdout.split()[2]
    return (f"{datetime.now(UTC):%Y-%m-%d}; {cpu}; {os.cpu_count()} cores; "
            f"Python {platform.python_version()}; Redis {redis_version}")


def settings_note() -> str:
    return (f"gunicorn {WORKERS} workers × {GUNICORN_THREADS} threads ({GUNICORN_WORKER_CLASS}) "
            f"for both servers; wrk on the same machine; max load: {THREADS} threads, "
            f"{CONNECTIONS} connections, {SECONDS} s; half load: {HALF_LOAD_CONNECTIONS} "
            f"connections paced to half the median maximum; median of {RUNS} runs")


if __name__ == "__main__":
    main()
