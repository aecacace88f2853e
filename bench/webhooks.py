"""Benchmark: Hotline's incoming-call and menu-step webhooks against fixed-TwiML servers.

Run with `.venv/bin/python -m bench.webhooks` (or `./dev bench`); the results replace the
webhooks section of docs/BENCHMARKS.md. All servers run under gunicorn with the settings of
`hotline serve`; Hotline checks every signature and commits every step to a private Redis.
Requests are signed ahead of time, so that wrk, not Python, makes the load.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench import calls, servers
from bench.cpu import measured, wait_quiet
from bench.fixed_twiml import FIXED, FIXED_PATH
from bench.load import Load, ensure_wrk, run_max, run_paced, wrk_version
from bench.report import REPORT, Measurement, Result, machine, render, write_section
from core.embedded_redis import EmbeddedRedis
from tests.processes import redis_pid

RUNS = 5
"""Runs per scenario and load; the report shows their median."""
SECONDS = 8
"""Length of one wrk run."""
CONNECTIONS = 32
"""Connections at maximum load: enough to keep every gunicorn thread busy."""
THREADS = 2
"""wrk threads at maximum load."""
HALF_LOAD_CONNECTIONS = 32
"""Connections (one wrk thread each) sharing the paced half load."""
MAX_CALLS = 64_000
"""Calls prepared for each stateful max-load run: more than a run can make, so none repeats
(each wrk thread replays its own half, and the threads' rates can differ by half)."""
STATELESS_CALLS = 10_000
"""Lines per baseline run; the baselines keep no state, so wrk may cycle through them."""
SAMPLE = 50
"""Calls per run whose stored session, events and reply are checked afterwards."""
NOISY_CORES = 0.3
"""CPU (in cores) other processes may take during a run before the run is repeated."""
MIN_BALANCE = 0.5
"""Least busy over busiest gunicorn worker, at least; below it the run is repeated. wrk keeps
its connections open, and now and then one worker accepts nearly all of them and the other
idles: that measures where the connections landed, not the server."""
ATTEMPTS = 3
"""Tries per run at getting one undisturbed by other processes and evenly spread."""

BASELINE = "baseline: fixed TwiML from Hotline's app (signature check, no IVR work)"
REFERENCE = "reference: fixed TwiML, minimal Flask app"
INCOMING = "incoming call (`POST /voice/incoming`)"
MENU_STEP = "menu step (`POST /voice/menu`, a key)"

Prepare = Callable[[Path, str, int], list[str]]
"""Writes a request file of N calls tagged T at P, returns their CallSids."""


@dataclass(frozen=True)
class Scenario:
    name: str
    server: servers.Server
    prepare: Prepare
    leaves_at: str | None
    """The menu node each call is at after its request; None for stateless baselines."""
    at_half_load: bool = True


@dataclass(frozen=True)
class Bench:
    work: Path
    redis_url: str
    redis_pid: int | None
    scenarios: list[Scenario]


def main() -> None:
    ensure_wrk()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, environment(Path(tmp)) as bench:
        smoke_test(bench)
        results = measure_all(bench)
    write_section(REPORT, "webhooks", render(results, header(time.monotonic() - started)))
    print(REPORT.read_text())


def measure_all(bench: Bench) -> list[Result]:
    """RUNS rounds at maximum load, then RUNS at half load; each round runs every scenario once,
    back to back on calls prepared before the round, so that a change in the machine's speed
    hits all of them alike and each webhook run is judged against the baseline of its round."""
    maxima: dict[str, list[Measurement]] = {s.name: [] for s in bench.scenarios}
    for run in range(RUNS):
        label = f"max{run}"
        prepared = {s.name: prepare(bench, s, label, 1, MAX_CALLS) for s in bench.scenarios}
        for scenario in bench.scenarios:
            maxima[scenario.name].append(_measure(
                bench, scenario, label, prepared[scenario.name], CONNECTIONS,
                partial(_at_most, scenario.server.url)))
    halves: dict[str, list[Measurement]] = {s.name: [] for s in bench.scenarios}
    half_scenarios = [s for s in bench.scenarios if s.at_half_load]
    rates = {s.name: statistics.median(m.load.rps for m in maxima[s.name]) / 2
             for s in half_scenarios}
    for run in range(RUNS):
        label = f"half{run}"
        prepared = {s.name: prepare(bench, s, label, 1, int(rates[s.name] * SECONDS * 1.5) + 1000)
                    for s in half_scenarios}
        for scenario in half_scenarios:
            rate = rates[scenario.name]
            halves[scenario.name].append(_measure(
                bench, scenario, label, prepared[scenario.name], HALF_LOAD_CONNECTIONS,
                partial(_paced, scenario.server.url, rate)))
    return [Result(s.name, maxima[s.name], halves[s.name], judged=s.leaves_at is not None)
            for s in bench.scenarios]


@contextmanager
def environment(work: Path) -> Iterator[Bench]:
    """Redis (private unless REDIS_URL is set), the three servers, and the scenarios on them."""
    with ExitStack() as stack:
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            redis_url = stack.enter_context(EmbeddedRedis(work / "redis", persist=False)).url
        hotline = stack.enter_context(servers.hotline(redis_url, work / "hotline"))
        fixed = stack.enter_context(servers.hotline_fixed(redis_url, work / "hotline"))
        bare = stack.enter_context(servers.bare())
        calls.answer_template_call(hotline.url, redis_url, work / "hotline")
        yield Bench(work, redis_url, _local_pid(redis_url), [
            Scenario(BASELINE, fixed, _new_calls(fixed.url, FIXED_PATH), None),
            Scenario(REFERENCE, bare, _new_calls(bare.url, FIXED_PATH), None, at_half_load=False),
            Scenario(INCOMING, hotline, _new_calls(hotline.url, "/voice/incoming"), "language"),
            Scenario(MENU_STEP, hotline, _waiting_calls(hotline.url, redis_url), "main"),
        ])


def _new_calls(url: str, target: str) -> Prepare:
    return lambda path, tag, count: calls.new_calls(path, url, target, tag, count)


def _waiting_calls(url: str, redis_url: str) -> Prepare:
    return lambda path, tag, count: calls.waiting_calls(path, url, redis_url, tag, count)


def _local_pid(redis_url: str) -> int | None:
    pid = redis_pid(redis_url)
    return pid if Path(f"/proc/{pid}").exists() else None


def smoke_test(bench: Bench) -> None:
    """Before any load: every server answers what it should, and Hotline refuses bad signatures."""
    fixed, bare, incoming, menu = bench.scenarios
    _expect(bare.server.url, FIXED_PATH, calls.call_form("CAsmoke0"), FIXED)
    _expect(fixed.server.url, FIXED_PATH, calls.call_form("CAsmoke1"), FIXED)
    _expect(incoming.server.url, "/voice/incoming", calls.call_form("CAsmoke2"),
            "/voice/menu?s=1&amp;")
    [sid] = menu.prepare(bench.work / "smoke.txt", "smoke", 1)
    _expect(menu.server.url, calls.template_action(bench.redis_url),
            calls.call_form(sid, Digits="1"), "/voice/menu?s=2&amp;")
    status, _ = calls.post(incoming.server.url, "/voice/incoming", calls.call_form("CAsmoke3"),
                           signed=False)
    if status != 403:
        raise SystemExit(f"benchmark invalid: an unsigned request got {status}, not 403")


def _expect(url: str, target: str, form: dict[str, str], contains: str) -> None:
    status, body = calls.post(url, target, form)
    if status != 200 or contains not in body:
        raise SystemExit(f"benchmark invalid: {url}{target} answered {status}: {body}")


@dataclass(frozen=True)
class Prepared:
    """A request file and the CallSids in it, for one run of one scenario."""

    path: Path
    sids: list[str]
    count: int


def prepare(bench: Bench, scenario: Scenario, label: str, attempt: int, count: int) -> Prepared:
    """`count` fresh calls for one run (a stateless baseline cycles through STATELESS_CALLS)."""
    count = count if scenario.leaves_at else STATELESS_CALLS
    index = bench.scenarios.index(scenario)
    path = bench.work / f"{label}-{index}-{attempt}.txt"
    return Prepared(path, scenario.prepare(path, f"{label}s{index}a{attempt}", count), count)


def _at_most(url: str, requests: Path) -> Load:
    return run_max(url, requests, SECONDS, CONNECTIONS, THREADS)


def _paced(url: str, rate: float, requests: Path) -> Load:
    return run_paced(url, requests, SECONDS, HALF_LOAD_CONNECTIONS, rate)


def _measure(bench: Bench, scenario: Scenario, label: str, first: Prepared, connections: int,
             run: Callable[[Path], Load]) -> Measurement:
    """One checked run on the calls prepared for it, repeated on fresh ones (up to ATTEMPTS
    times) while other processes took more than NOISY_CORES of the machine or the workers were
    unevenly loaded."""
    calls_ = first
    for attempt in range(1, ATTEMPTS + 1):
        if attempt > 1:
            calls_ = prepare(bench, scenario, label, attempt, first.count)
        measurement = _checked_run(bench, scenario, calls_.sids, connections,
                                   partial(run, calls_.path))
        cpu = measurement.cpu
        if cpu.other <= NOISY_CORES and cpu.balance >= MIN_BALANCE:
            break
        print(f"    other processes used {cpu.other:.2f} cores, worker balance {cpu.balance:.2f}:"
              f" {'repeating' if attempt < ATTEMPTS else 'keeping it'}", flush=True)
    return measurement


def _checked_run(bench: Bench, scenario: Scenario, sids: list[str], connections: int,
                 run: Callable[[], Load]) -> Measurement:
    """One run: every request answered and (for Hotline) really committed and stored."""
    wait_quiet()
    before = calls.committed_steps(bench.redis_url)
    load, cpu = measured(run, scenario.server.pid, bench.redis_pid)
    print(f"  {scenario.name}, {connections} connections: {load.rps:,.0f} req/s, p50 "
          f"{load.p50_ms:.2f} ms, p99 {load.p99_ms:.2f} ms; CPU: server {cpu.server:.2f}, "
          f"Redis {cpu.redis:.2f}, wrk {cpu.wrk:.2f}, other {cpu.other:.2f}; worker balance "
          f"{cpu.balance:.2f}", flush=True)
    if load.failures:
        raise SystemExit(f"benchmark invalid: {scenario.name}: {load.failures} failed requests")
    if scenario.leaves_at is not None:
        time.sleep(servers.SETTLE)  # replies wrk stopped waiting for may still be committing
        check_committed(scenario, load, calls.committed_steps(bench.redis_url) - before,
                        connections)
        calls.check_stored(bench.redis_url, sids[:SAMPLE], scenario.leaves_at)
    return Measurement(load, cpu)


def check_committed(scenario: Scenario, load: Load, committed: int, connections: int) -> None:
    """Every answered request committed exactly one new step: none came from the reply cache
    (a repeat) or the error handler (an apology TwiML with status 200)."""
    if load.repeated:
        raise SystemExit(f"benchmark invalid: {scenario.name}: {load.repeated} requests repeated;"
                         " prepare more calls")
    # Requests still in flight when wrk stops are committed but not counted by wrk.
    if not load.requests <= committed <= load.requests + connections:
        raise SystemExit(f"benchmark invalid: {scenario.name}: {load.requests} answered, "
                         f"{committed} steps committed")


def header(seconds: float) -> list[str]:
    return [
        f"Machine: {machine()}.  ",
        "Command: `.venv/bin/python -m bench.webhooks` (also run by `./dev bench`); "
        f"took {seconds / 60:.0f} min.  ",
        f"Setup: gunicorn {servers.gunicorn_note()} for every server; wrk {wrk_version()} on the "
        "same machine; "
        f"max load: {THREADS} threads, {CONNECTIONS} connections, {SECONDS} s; half load: "
        f"{HALF_LOAD_CONNECTIONS} connections on a fixed schedule at half the scenario's median "
        f"maximum, latency from when each request was due; median of {RUNS} runs, in rounds "
        "of every scenario back to back on calls prepared before the round; a ratio is the "
        "median of each round's (the run over the baseline's run of the same round); a run "
        f"is repeated (up to {ATTEMPTS} tries) when other processes took "
        f"over {NOISY_CORES} cores or one gunicorn worker was under {MIN_BALANCE:.0%} as busy "
        "as the busiest.",
    ]


if __name__ == "__main__":
    main()
