"""Benchmark: the whole service as deployed under a realistic mix of calls, stepped up in new
calls per second until webhook p99 passes 100 ms.

Run with `.venv/bin/python -m bench.service_load` (not part of `./dev bench`: it takes minutes).
Hotline runs as in production: `hotline serve` (gunicorn), `hotline worker` (RQ, dialling the
callbacks asked for through the simulated phone network), `hotline bridge` (tickets), one
Redis, and PostgreSQL (HOTLINE_TEST_POSTGRES_URL or 127.0.0.1:5432/test, a schema of its own)
when it answers, else SQLite. Simulated callers (the caller simulator over HTTP) arrive on a
fixed schedule and walk the example menu with a short pause per step:
- half are routed by keys and hold for two announcements, a fifth by words,
- a fifth ask for a callback (the worker dials it), a tenth hang up in the menu,
- every call ends with its status callback; an admin thread changes agents' status meanwhile.
Every web process has the first one's address as its public URL (the one address Twilio
would know; loopback, as the development credentials require), and the driver sends each
request to the web processes in turn. Configurations: one web process and one worker; two
of each; two `hotline serve` on separate ports behind one public address, a call's steps
sent to them in turn.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from bench.report import REPORT, machine, write_section
from core.embedded_redis import EmbeddedRedis
from simulator.caller import CallSimulator
from simulator.inputs import HangUp, Input, Press, Reply, Say, Silence
from tests.processes import answers, free_port, wait_for
from tickets_bridge.schema import throwaway_schema

HOTLINE = str(Path(sys.executable).parent / "hotline")
DEV_TOKEN = "hotline-dev-admin-token"
AUTH_TOKEN = "hotline-dev-auth-token"
P99_LIMIT_MS = 100.0
RATES = (4, 6, 8, 10, 12, 16, 20, 24, 32)
"""New calls per second, stepped up until p99 passes the limit or calls fall behind."""
STEP_SECONDS = 10
THINK_SECONDS = 0.3
"""The caller's pause before each webhook after the first (real callers take seconds)."""
RUNS = 3
WARM_UP_RATE = 2
AGENTS = 10
POSTGRES_URL = os.environ.get("HOTLINE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://root@127.0.0.1:5432/test")


def script(n: int) -> list[Input]:
    """The n-th caller's inputs: the mix described above (example menu)."""
    kind = n % 10
    if kind < 5:
        return [Press("1"), Press("1"), Press("1"), Silence(), Silence(), HangUp()]
    if kind < 7:
        return [Say("my invoice is wrong"), HangUp()]
    if kind < 9:
        return [Press("1"), Press("1"), Press("2"), Press("1"), Press("1"), Press("1"),
                HangUp()]
    return [Press("1"), HangUp()]


@dataclass
class Timed:
    """Every webhook's latency in ms, its failures (5xx or no answer), calls finished late."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    late_starts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Rotating:
    """HTTP to the web processes, each request to the next one in turn, timed."""

    def __init__(self, backends: list[str], timed: Timed) -> None:
        self.backends = backends
        self.timed = timed
        self.session = requests.Session()
        self._turn = count()

    def post(self, url: str, form: dict[str, str], headers: dict[str, str]) -> Reply:
        if not url.endswith("/voice/incoming"):
            time.sleep(THINK_SECONDS)
        target = self._map(url)
        started = time.perf_counter()
        try:
            response = self.session.post(target, data=form, headers=headers, timeout=15)
        except requests.RequestException:
            with self.timed.lock:
                self.timed.failures += 1
            return Reply(599, "")
        took = (time.perf_counter() - started) * 1000
        with self.timed.lock:
            self.timed.latencies.append(took)
            self.timed.failures += response.status_code >= 500
        return Reply(response.status_code, response.text)

    def get(self, url: str, headers: dict[str, str]) -> Reply:
        response = self.session.get(self._map(url), headers=headers, timeout=15)
        return Reply(response.status_code, response.text)

    def _map(self, url: str) -> str:
        parts = urlsplit(url)
        backend = self.backends[next(self._turn) % len(self.backends)]
        return f"{backend}{parts.path}{'?' + parts.query if parts.query else ''}"


@dataclass(frozen=True)
class Step:
    rate: int
    p50_ms: float
    p99_ms: float
    failures: int
    late: int
    requests: int

    @property
    def sustained(self) -> bool:
        return self.p99_ms < P99_LIMIT_MS and self.failures == 0 and self.late == 0


def one_call(backends: list[str], n: int, timed: Timed) -> None:
    transport = Rotating(backends, timed)
    try:
        result = CallSimulator(transport, backends[0], AUTH_TOKEN,
                               caller=f"+1415555{n % 10000:04d}", inputs=script(n),
                               out=lambda _: None).run()
        if not result.ok:  # a step the simulator could not play (an error, no TwiML)
            with timed.lock:
                timed.failures += 1
    finally:
        transport.session.close()


def agents_changing(backend: str, stop: threading.Event) -> None:
    """An admin toggling agents between available and away, a few times a second."""
    auth = {"Authorization": f"Bearer {DEV_TOKEN}"}
    with requests.Session() as session:
        for n in count():
            if stop.wait(0.25):
                return
            status = "available" if n % 3 else "away"
            session.post(f"{backend}/api/v1/agents/agent{n % AGENTS}/status",
                         json={"status": status}, headers=auth, timeout=15)


def step(backends: list[str], rate: int, first_call: int) -> Step:
    timed = Timed()
    calls = rate * STEP_SECONDS
    with ThreadPoolExecutor(max_workers=min(400, rate * 12)) as pool:
        start = time.monotonic()
        for n in range(calls):
            due = start + n / rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            elif wait < -0.1:
                timed.late_starts += 1
            pool.submit(one_call, backends, first_call + n, timed)
    centiles = statistics.quantiles(timed.latencies, n=100, method="inclusive")
    return Step(rate, centiles[49], centiles[98], timed.failures, timed.late_starts,
                len(timed.latencies))


def register_agents(backend: str) -> None:
    auth = {"Authorization": f"Bearer {DEV_TOKEN}"}
    for n in range(AGENTS):
        reply = requests.put(f"{backend}/api/v1/agents/agent{n}", headers=auth, timeout=15, json={
            "name": f"Agent {n}", "reach": f"client:agent{n}", "tier": "L1",
            "skills": ["billing", "general", "internet", "payments"]})
        reply.raise_for_status()


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("ab") as out:
        running = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        running.terminate()
        running.wait(timeout=60)


def database_url(stack: ExitStack) -> tuple[str, str]:
    """PostgreSQL in a schema of its own when one answers, else a SQLite file."""
    try:
        with create_engine(POSTGRES_URL).connect():
            pass
    except OperationalError:
        return f"sqlite:///{tempfile.mkdtemp()}/tickets.db", "SQLite"
    engine = stack.enter_context(throwaway_schema(POSTGRES_URL))
    return engine.url.render_as_string(hide_password=False), "PostgreSQL"


@contextmanager
def service(servers: int, web_workers: int, workers: int) -> Iterator[tuple[list[str], str]]:
    """Hotline as deployed: `servers` × `hotline serve` (`web_workers` gunicorn processes
    each), `workers` × `hotline worker`, one `hotline bridge`."""
    with ExitStack() as stack:
        data = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        redis_url = stack.enter_context(EmbeddedRedis(data / "redis", persist=False)).url
        database, store = database_url(stack)
        base = {**{k: v for k, v in os.environ.items()
                   if not k.startswith(("HOTLINE_", "TWILIO_", "REDIS_URL", "DATABASE_URL"))},
                "REDIS_URL": redis_url, "DATABASE_URL": database,
                "HOTLINE_LOG_LEVEL": "warning"}
        ports = [free_port() for _ in range(servers)]
        base["HOTLINE_PUBLIC_URL"] = f"http://127.0.0.1:{ports[0]}"
        backends = []
        for n, port in enumerate(ports):
            env = {**base, "HOTLINE_DATA_DIR": str(data / f"web{n}"),
                   "HOTLINE_BIND": f"127.0.0.1:{port}", "HOTLINE_WEB_WORKERS": str(web_workers)}
            stack.enter_context(process([HOTLINE, "serve"], env, data / f"web{n}.log"))
            wait_for(lambda port=port: answers(port), "hotline serve to listen")
            backends.append(f"http://127.0.0.1:{port}")
        for n in range(workers):
            env = {**base, "HOTLINE_DATA_DIR": str(data / f"worker{n}")}
            stack.enter_context(process([HOTLINE, "worker"], env, data / f"worker{n}.log"))
        stack.enter_context(process([HOTLINE, "bridge"], {**base, "HOTLINE_DATA_DIR": str(
            data / "bridge")}, data / "bridge.log"))
        time.sleep(1.0)  # gunicorn's workers fork after the port answers
        register_agents(backends[0])
        yield backends, store


def highest_sustained(servers: int, web_workers: int, workers: int) -> tuple[int, list[Step]]:
    """The highest rate whose step held (p99 under the limit, nothing failed or fell behind)."""
    with service(servers, web_workers, workers) as (backends, _):
        stop = threading.Event()
        admin = threading.Thread(target=agents_changing, args=(backends[0], stop))
        admin.start()
        steps: list[Step] = []
        best = 0
        try:
            step(backends, WARM_UP_RATE, 10_000)  # first requests of each process: not counted
            for rate in RATES:
                # A step that fails is tried once more before it counts: the machine is
                # shared, and another session's burst should not decide the figure.
                for _ in range(2):
                    done = step(backends, rate, sum(s.rate * STEP_SECONDS for s in steps))
                    steps.append(done)
                    print(f"  {servers}x serve({web_workers}) + {workers} worker(s): {done}",
                          flush=True)
                    if done.sustained:
                        break
                if not done.sustained:
                    break
                best = rate
        finally:
            stop.set()
            admin.join()
        return best, steps


CONFIGS = {
    "1 web process, 1 worker": (1, 1, 1),
    "2 web processes, 2 workers": (1, 2, 2),
    "2 serve on 2 ports, steps alternating": (2, 1, 2),
}


def main() -> None:
    # Stopped by SIGTERM, unwind (stopping every process started) as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    results: dict[str, list[int]] = {name: [] for name in CONFIGS}
    for run in range(RUNS):
        for name, config in CONFIGS.items():
            print(f"run {run + 1}: {name}", flush=True)
            best, _ = highest_sustained(*config)
            results[name].append(best)
    write_section(REPORT, "service-load", render(results))
    print(render(results))


def render(results: dict[str, list[int]]) -> str:
    baseline = statistics.median(results["1 web process, 1 worker"]) or 1
    rows = [f"| {name} | {statistics.median(runs):g} | {', '.join(map(str, runs))} | "
            f"{statistics.median(runs) / baseline:.2f} |" for name, runs in results.items()]
    return "\n".join([
        "## Whole service under a realistic mix",
        "",
        f"Machine: {machine()}; shared with other sessions, so the figures are low and noisy."
        " The load driver (Python threads) runs on the same two cores as everything else.",
        f"Command: `.venv/bin/python -m bench.service_load`. Rates stepped {RATES} new calls/s,"
        f" {STEP_SECONDS} s each; a step holds when webhook p99 < {P99_LIMIT_MS:g} ms, no 5xx"
        " and no call started late (a failed step is tried once more before it counts);"
        " median of {RUNS} runs, configurations interleaved.",
        "",
        "| configuration | highest sustained new calls/s (median) | runs | ratio to 1+1 |",
        "| --- | ---: | --- | ---: |",
        *rows,
    ]).replace("{RUNS}", str(RUNS))


if __name__ == "__main__":
    main()
