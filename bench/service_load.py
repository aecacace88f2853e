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

import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import count, repeat
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from bench.cpu import QUIET_WAIT, machine_busy, trees_cpu, wait_quiet
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
RATES = (4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64)
"""New calls per second, stepped up until p99 passes the limit or calls fall behind."""
STEP_SECONDS = 10
THINK_SECONDS = 0.3
"""The caller's pause before each webhook after the first (real callers take seconds)."""
RUNS = 3
WARM_UP_RATE = 2
AGENTS = 10
DRIVERS = 2
"""Load driver processes: one Python process alone cannot start and play calls fast enough."""
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
    """HTTP to the web processes, each request to the next one in turn, timed. A call's
    first request goes to backend `first` (mod their number): calls start on each in turn,
    or the first one would take every call's first step and one step more of every call
    with an odd number of them."""

    def __init__(self, backends: list[str], timed: Timed, first: int = 0) -> None:
        self.backends = backends
        self.timed = timed
        self.session = requests.Session()
        self._turn = count(first)

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
    cpu_ms: dict[str, float]
    """CPU ms per new call used by each kind of process (web, worker, bridge, Redis)."""
    driver_cores: float
    other_cores: float
    """Busy cores outside Hotline, Redis and the driver during the step: the noise."""

    @property
    def sustained(self) -> bool:
        return self.p99_ms < P99_LIMIT_MS and self.failures == 0 and self.late == 0

    def __str__(self) -> str:
        cpu = ", ".join(f"{kind} {ms:.0f}" for kind, ms in self.cpu_ms.items())
        return (f"{self.rate:>3} calls/s: p50 {self.p50_ms:5.1f} ms, p99 {self.p99_ms:6.1f} ms, "
                f"{self.failures} failed, {self.late} late, {self.requests} requests; "
                f"CPU ms per call: {cpu}; driver {self.driver_cores:.2f} cores, "
                f"others {self.other_cores:.2f} cores"
                f"{'' if self.sustained else '  (not held)'}")


@dataclass(frozen=True)
class Share:
    """What one driver process saw of a step."""

    latencies: list[float]
    failures: int
    late_starts: int
    cpu_seconds: float


def one_call(backends: list[str], n: int, timed: Timed) -> None:
    transport = Rotating(backends, timed, first=n)
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


def drive(backends: list[str], rate: int, first_call: int, share: int, start: float) -> Share:
    """One driver process's share of a step: every DRIVERS-th call of the step's schedule.
    `start` is on the monotonic clock, which all processes of the machine share."""
    timed = Timed()
    cpu_before = time.process_time()
    with ThreadPoolExecutor(max_workers=max(8, rate * 12 // DRIVERS)) as pool:
        for n in range(share, rate * STEP_SECONDS, DRIVERS):
            wait = start + n / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            elif wait < -0.1:
                timed.late_starts += 1
            pool.submit(one_call, backends, first_call + n, timed)
    return Share(timed.latencies, timed.failures, timed.late_starts,
                 time.process_time() - cpu_before)


def step(drivers: ProcessPoolExecutor, running: Service, rate: int, first_call: int) -> Step:
    start = time.monotonic() + 0.2
    before = {kind: trees_cpu(pids) for kind, pids in running.processes.items()}
    machine_before = machine_busy()
    shares = list(drivers.map(drive, repeat(running.backends), repeat(rate), repeat(first_call),
                              range(DRIVERS), repeat(start)))
    elapsed = time.monotonic() - start
    used = {kind: trees_cpu(pids) - before[kind] for kind, pids in running.processes.items()}
    machine_cpu = machine_busy() - machine_before
    driver = sum(share.cpu_seconds for share in shares)
    latencies = [took for share in shares for took in share.latencies]
    centiles = statistics.quantiles(latencies, n=100, method="inclusive")
    calls = rate * STEP_SECONDS
    return Step(rate, centiles[49], centiles[98], sum(share.failures for share in shares),
                sum(share.late_starts for share in shares), len(latencies),
                cpu_ms={kind: seconds * 1000 / calls for kind, seconds in used.items()},
                driver_cores=driver / elapsed,
                other_cores=max(0.0, machine_cpu - sum(used.values()) - driver) / elapsed)


def register_agents(backend: str) -> None:
    auth = {"Authorization": f"Bearer {DEV_TOKEN}"}
    for n in range(AGENTS):
        reply = requests.put(f"{backend}/api/v1/agents/agent{n}", headers=auth, timeout=15, json={
            "name": f"Agent {n}", "reach": f"client:agent{n}", "tier": "L1",
            "skills": ["billing", "general", "internet", "payments"]})
        reply.raise_for_status()


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path) -> Iterator[int]:
    with log.open("ab") as out:
        running = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield running.pid
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


@dataclass(frozen=True)
class Service:
    backends: list[str]
    store: str
    processes: dict[str, list[int]]
    """Hotline's processes (each with its children) and Redis, by kind."""


@contextmanager
def service(servers: int, web_workers: int, workers: int) -> Iterator[Service]:
    """Hotline as deployed: `servers` × `hotline serve` (`web_workers` gunicorn processes
    each), `workers` × `hotline worker`, one `hotline bridge`."""
    with ExitStack() as stack:
        data = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        redis = stack.enter_context(EmbeddedRedis(data / "redis", persist=False))
        redis_url = redis.url
        processes: dict[str, list[int]] = {"web": [], "worker": [], "bridge": [],
                                           "Redis": [redis.pid] if redis.pid else []}

        def start(kind: str, name: str, env: dict[str, str]) -> None:
            env = {**env, "HOTLINE_DATA_DIR": str(data / name)}
            processes[kind].append(stack.enter_context(
                process([HOTLINE, kind if kind != "web" else "serve"], env, data / f"{name}.log")))

        database, store = database_url(stack)
        base = {**{k: v for k, v in os.environ.items()
                   if not k.startswith(("HOTLINE_", "TWILIO_", "REDIS_URL", "DATABASE_URL"))},
                "REDIS_URL": redis_url, "DATABASE_URL": database,
                "HOTLINE_LOG_LEVEL": "warning"}
        ports = [free_port() for _ in range(servers)]
        base["HOTLINE_PUBLIC_URL"] = f"http://127.0.0.1:{ports[0]}"
        backends = []
        for n, port in enumerate(ports):
            start("web", f"web{n}", {**base, "HOTLINE_BIND": f"127.0.0.1:{port}",
                                     "HOTLINE_WEB_WORKERS": str(web_workers)})
            wait_for(lambda port=port: answers(port), "hotline serve to listen")
            backends.append(f"http://127.0.0.1:{port}")
        for n in range(workers):
            start("worker", f"worker{n}", base)
        start("bridge", "bridge", base)
        time.sleep(1.0)  # gunicorn's workers fork after the port answers
        register_agents(backends[0])
        yield Service(backends, store, processes)


def highest_sustained(servers: int, web_workers: int, workers: int) -> tuple[int, list[Step]]:
    """The highest rate whose step held (p99 under the limit, nothing failed or fell behind)."""
    wait_quiet()
    with service(servers, web_workers, workers) as running, ProcessPoolExecutor(
            DRIVERS, mp_context=multiprocessing.get_context("fork")) as drivers:
        backends = running.backends
        stop = threading.Event()
        admin = threading.Thread(target=agents_changing, args=(backends[0], stop))
        admin.start()
        steps: list[Step] = []
        best = 0
        try:
            # The first requests of each process: not counted.
            step(drivers, running, WARM_UP_RATE, 100_000)
            for rate in RATES:
                # A step that fails is tried once more before it counts: the machine is
                # shared, and another session's burst should not decide the figure.
                for _ in range(2):
                    done = step(drivers, running, rate,
                                sum(s.rate * STEP_SECONDS for s in steps))
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


BASELINE = "1 web process, 1 worker"
KINDS = ("web", "worker", "bridge", "Redis")


@dataclass(frozen=True)
class Run:
    best: int
    steps: list[Step]
    others: float
    """Median busy cores outside Hotline, Redis and the driver over the run's steps."""

    def held_at(self, rate: int) -> Step | None:
        """The step at `rate` that held, if one did."""
        held = [step for step in self.steps if step.rate == rate and step.sustained]
        return held[-1] if held else None


def main() -> None:
    # Stopped by SIGTERM, unwind (stopping every process started) as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    results: dict[str, list[Run]] = {name: [] for name in CONFIGS}
    for run in range(RUNS):
        for name, config in CONFIGS.items():
            print(f"run {run + 1}: {name}", flush=True)
            best, steps = highest_sustained(*config)
            results[name].append(Run(best, steps,
                                     statistics.median(s.other_cores for s in steps)))
    write_section(REPORT, "service-load", render(results))
    print(render(results))


def render(results: dict[str, list[Run]]) -> str:
    base = results[BASELINE]
    common = min(run.best for runs in results.values() for run in runs)
    rows = []
    for name, runs in results.items():
        ratios = [run.best / against.best for run, against in zip(runs, base, strict=True)
                  if against.best]
        ratio = f"{statistics.median(ratios):.2f}" if ratios else "–"
        rows.append(f"| {name} | {statistics.median(r.best for r in runs):g} | "
                    f"{', '.join(str(r.best) for r in runs)} | {ratio} | "
                    f"{statistics.median(r.others for r in runs):.2f} |")
    return "\n".join([
        "## Whole service under a realistic mix",
        "",
        f"Machine: {machine()}; shared with other sessions (the last column is the rest of"
        " the machine's load: PostgreSQL, other sessions).",
        f"Command: `.venv/bin/python -m bench.service_load`. Rates stepped {RATES} new calls/s,"
        f" {STEP_SECONDS} s each; a step holds when webhook p99 < {P99_LIMIT_MS:g} ms, no 5xx"
        " and no call started late (a failed step is tried once more before it counts);"
        f" median of {RUNS} runs, configurations interleaved, each started once the machine"
        f" was quiet (or after {QUIET_WAIT:g} s). The load driver is {DRIVERS} Python processes"
        " on the same cores; the ratio is each run's figure over the same run's 1+1.",
        "",
        "| configuration | highest sustained new calls/s (median) | runs | ratio to 1+1 "
        "(median of runs) | rest of the machine, busy cores (median) |",
        "| --- | ---: | --- | ---: | ---: |",
        *rows,
        "",
        f"CPU per new call at {common} new calls/s, the highest rate every run held, in ms"
        " (median of runs), by process kind; PostgreSQL's own processes are not counted:",
        "",
        "| configuration | " + " | ".join(KINDS) + " | all | driver's busy cores |",
        "| --- | " + " | ".join("---:" for _ in KINDS) + " | ---: | ---: |",
        *(_cpu_row(name, runs, common) for name, runs in results.items()),
    ])


def _cpu_row(name: str, runs: list[Run], rate: int) -> str:
    held = [step for run in runs if (step := run.held_at(rate)) is not None]
    if not held:
        return f"| {name} | " + " | ".join("–" for _ in KINDS) + " | – | – |"
    by_kind = [statistics.median(step.cpu_ms[kind] for step in held) for kind in KINDS]
    total = statistics.median(sum(step.cpu_ms.values()) for step in held)
    driver = statistics.median(step.driver_cores for step in held)
    return (f"| {name} | " + " | ".join(f"{ms:.0f}" for ms in by_kind)
            + f" | {total:.0f} | {driver:.2f} |")


if __name__ == "__main__":
    main()
