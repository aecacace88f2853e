"""Callbacks benchmark: 5,000 callbacks due within the same minute, a pacing limit of 50 calls
per second, two RQ workers (with the scheduler and the sweeper), an available agent for every
callback, Twilio's REST API mocked by Prism. Reports: none lost, none duplicated, the achieved
rate as a share of the limit, the delay behind the ideal paced schedule (p50, p99), next to a
baseline measured in the same run: two bare processes placing the same calls through the same
limiter and REST client, without RQ, the state machine or the queues.

Run: .venv/bin/python -m bench.callbacks [runs]   (./dev bench runs it)
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import redis
from rq import Queue

from bench.callback_worker import REST_CALLS
from bench.report import machine, write_section
from callbacks.jobs import QUEUE
from callbacks.pacing import Pacer
from callbacks.record import Callback, Mode
from callbacks.store import CallbackStore
from callbacks.transcript import callback_event
from core import keys
from core.embedded_redis import EmbeddedRedis
from core.redis_values import text
from core.telephony import OutboundCall, TwilioTelephony
from queues.agents import Agent, AgentRegistry
from queues.queue_store import QueueStore
from tests.twilio_rest import ACCOUNT_SID, RecordingHttpClient, start_prism

CALLBACKS = 5000
CPS = 50.0
SPREAD = 60.0
"""Seconds over which the callbacks fall due (evenly), all within the same minute."""
LEAD = 40.0
"""Seconds from starting the workers to the first due time: setting up 5,000 agents and
callbacks happens in between."""
TARGET_RATE_SHARE = 0.95
TARGET_P99 = 1.0
BASELINE_DONE = "bench:baseline:placed"
MODES = {"simple": "Hotline, 2 × `hotline worker --no-fork`",
         "fork": "Hotline, 2 × `hotline worker` (forking)"}
"""Worker kinds measured: jobs in the worker process itself, or in a forked work horse each."""
JUDGED = "simple"


@dataclass(frozen=True)
class Run:
    placed: int
    lost: int
    duplicated: int
    rate_share: float
    p50: float
    p99: float


def worker_env(redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HOTLINE_"))}
    env.update(REDIS_URL=redis_url, HOTLINE_PUBLIC_URL="https://hotline.example",
               HOTLINE_CALLBACK_CPS=str(CPS), HOTLINE_CALLBACK_DIAL_HOURS="00:00-23:59:59",
               HOTLINE_CALLBACK_DAYS="mon-sun", HOTLINE_CALLBACK_HOLIDAYS="none",
               HOTLINE_CALLBACK_LEASE="300")
    return env


def due_times(start: float) -> list[float]:
    return [start + SPREAD * n / CALLBACKS for n in range(CALLBACKS)]


def ideal(due: list[float]) -> list[float]:
    """When each call would leave on a perfectly paced schedule: not before it is due, and
    1/CPS after the one before."""
    slots, last = [], float("-inf")
    for at in sorted(due):
        last = max(at, last + 1.0 / CPS)
        slots.append(last)
    return slots


def judge(placed_at: list[float], due: list[float], lost: int, duplicated: int) -> Run:
    placed_at = sorted(placed_at)
    delays = [p - i for p, i in zip(placed_at, ideal(due), strict=False)]
    span = placed_at[-1] - placed_at[0]
    rate = (len(placed_at) - 1) / span if span > 0 else 0.0
    ideal_rate = min(CPS, (len(due) - 1) / (max(due) - min(due)))
    return Run(len(placed_at), lost, duplicated, rate / ideal_rate,
               statistics.median(delays), _p99(delays))


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def prepare(client: redis.Redis, start: float) -> list[float]:
    """Agents for every callback, the callbacks themselves, and their scheduled jobs."""
    registry, queues = AgentRegistry(client), QueueStore(client)
    for n in range(CALLBACKS):
        agent_id = f"agent{n}"
        registry.register(Agent(agent_id, agent_id, f"client:{agent_id}", "L1", ("billing",)),
                          start - 600)
        queues.set_status(agent_id, "available", start - 600 + n / 1000)
    store, rq_queue = CallbackStore(client), Queue(QUEUE, connection=client)
    due = due_times(start)
    for n, at in enumerate(due):
        record = Callback(id=f"cb{n:05d}", phone=f"+1212555{n:04d}", issue="billing/dispute",
                          queue="billing", tier="L1", skills=("billing",), priority="normal",
                          language="en", origin_call=f"CAbench{n}", mode=Mode.SLOT,
                          due_at=at, arrived_at=at, timezone="UTC", created_at=start - 60,
                          from_number="+18005550100")
        store.request(record, callback_event(datetime.now(UTC), record, "Callback promised"))
        rq_queue.enqueue_at(datetime.fromtimestamp(at, UTC), "callbacks.jobs.dial_due",
                            record.id)
    return due


def hotline_run(client: redis.Redis, redis_url: str, prism_url: str, mode: str) -> Run:
    client.flushdb()
    workers = [subprocess.Popen([sys.executable, "-m", "bench.callback_worker", redis_url,
                                 prism_url, mode], env=worker_env(redis_url),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(2)]
    start = time.time() + LEAD
    try:
        due = prepare(client, start)
        if time.time() > start - 1:
            raise SystemExit("setting up took longer than LEAD: raise it")
        _wait(lambda: client.zcard(keys.callbacks_placed()) >= CALLBACKS, start + 300)
        time.sleep(2)  # anything placed twice would show up now
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    scored = cast(list[tuple[bytes, float]],
                  client.zrange(keys.callbacks_placed(), 0, -1, withscores=True))
    placed = {text(k): v for k, v in scored}
    per_callback = {text(k): int(v) for k, v in client.hgetall(REST_CALLS).items()}
    lost = CALLBACKS - len(per_callback)
    duplicated = sum(n - 1 for n in per_callback.values())
    return judge(list(placed.values()), due, lost, duplicated)


def _baseline_dialler(redis_url: str, prism_url: str, due: list[float]) -> None:
    client = redis.Redis.from_url(redis_url)
    pacer = Pacer(client, CPS)
    telephony = TwilioTelephony(ACCOUNT_SID, "token", http_client=RecordingHttpClient(prism_url))
    while (n := int(client.incr("bench:baseline:next")) - 1) < len(due):
        wait = due[n] - time.time()
        if wait > 0:
            time.sleep(wait)
        pacer.wait_turn()
        telephony.place_call(OutboundCall(
            to=f"+1212555{n:04d}", from_="+18005550100",
            url=f"https://hotline.example/callbacks/answer?attempt=b{n}-1",
            status_callback=f"https://hotline.example/callbacks/status?attempt=b{n}-1",
            machine_detection=True, timeout=30))
        client.zadd(BASELINE_DONE, {str(n): time.time()})
    client.close()


def baseline_run(client: redis.Redis, redis_url: str, prism_url: str) -> Run:
    client.flushdb()
    due = due_times(time.time() + 5)
    context = multiprocessing.get_context("fork")
    diallers = [context.Process(target=_baseline_dialler, args=(redis_url, prism_url, due))
                for _ in range(2)]
    for process in diallers:
        process.start()
    for process in diallers:
        process.join(timeout=400)
    done = cast(list[tuple[bytes, float]], client.zrange(BASELINE_DONE, 0, -1, withscores=True))
    placed = [score for _, score in done]
    return judge(placed, due, CALLBACKS - len(placed), 0)


def _wait(done: object, deadline: float) -> None:
    while time.time() < deadline:
        if done():  # type: ignore[operator]
            return
        time.sleep(0.5)
    raise SystemExit("the benchmark did not finish in time")


def render(hotline: dict[str, list[Run]], baseline: list[Run]) -> str:
    medians = {mode: _median(runs) for mode, runs in hotline.items()}
    b, h = _median(baseline), medians[JUDGED]
    met = h.lost == 0 and h.duplicated == 0 and h.rate_share >= TARGET_RATE_SHARE \
        and h.p99 < TARGET_P99
    return "\n".join([
        "## Callbacks: paced dialling", "",
        f"Machine: {machine()}.  ",
        f"Setup: {CALLBACKS} callbacks due evenly within {SPREAD:.0f} s, a limit of {CPS:.0f} "
        "calls/s, two RQ workers (with the scheduler, the sweeper and the REST client warmed "
        "up, as `hotline worker` runs them; bench/callback_worker.py only points the client at "
        "Prism and counts its calls) on the embedded Redis, an available agent per callback, "
        "Prism serving Twilio's OpenAPI description as the REST API; median of "
        f"{len(baseline)} runs, worker kinds and baseline interleaved. Baseline, in the same "
        "runs: two bare processes placing the same calls through the same limiter and REST "
        "client (no RQ, no state machine, no queue).",
        "", "| dialler | placed | lost | duplicated | rate / limit | ratio to baseline | "
        "delay p50 s | delay p99 s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *(_row(MODES[mode], run, b) for mode, run in medians.items()),
        _row("baseline (bare loop)", b, b), "",
        "Delay is each call's REST answer behind its slot on the ideal schedule (not before it "
        f"is due, 1/{CPS:.0f} s after the one before). Targets (none lost or duplicated, rate "
        f"at least {TARGET_RATE_SHARE:.0%} of the limit, p99 under {TARGET_P99:.0f} s) with "
        f"`--no-fork` workers: {'met' if met else 'NOT met'}. Forking workers spend tens of "
        "milliseconds per job on the fork and RQ's bookkeeping, so two of them fall short of 50 "
        "calls/s on this machine: run callbacks on `--no-fork` workers at such limits (or more "
        "forking workers).",
        "", *(f"Runs ({MODES[mode]}): " + "; ".join(_short(r) for r in runs) + ".  "
              for mode, runs in hotline.items()),
        "Runs (baseline): " + "; ".join(_short(r) for r in baseline) + ".",
    ])


def _row(name: str, run: Run, baseline: Run) -> str:
    return (f"| {name} | {run.placed} | {run.lost} | {run.duplicated} | {run.rate_share:.3f} | "
            f"{run.rate_share / baseline.rate_share:.3f} | {run.p50:.3f} | {run.p99:.3f} |")


def _short(run: Run) -> str:
    return f"{run.rate_share:.3f} of the limit, p99 {run.p99:.3f} s"


def _median(runs: list[Run]) -> Run:
    middle = sorted(runs, key=lambda r: r.p99)[len(runs) // 2]
    return Run(middle.placed, max(r.lost for r in runs), max(r.duplicated for r in runs),
               statistics.median(r.rate_share for r in runs),
               statistics.median(r.p50 for r in runs),
               statistics.median(r.p99 for r in runs))


def main(runs: int = 3) -> None:
    with tempfile.TemporaryDirectory(prefix="hotline-bench-callbacks-") as tmp:
        server = EmbeddedRedis(Path(tmp), persist=False)
        redis_url = server.start()
        prism, prism_url = start_prism(Path(tmp) / "prism.log")
        client = redis.Redis.from_url(redis_url)
        try:
            hotline: dict[str, list[Run]] = {mode: [] for mode in MODES}
            baseline: list[Run] = []
            for n in range(runs):
                for mode in MODES:
                    hotline[mode].append(hotline_run(client, redis_url, prism_url, mode))
                    print(f"run {n + 1} {mode}: {hotline[mode][-1]}; load {os.getloadavg()}",
                          flush=True)
                baseline.append(baseline_run(client, redis_url, prism_url))
                print(f"run {n + 1} baseline: {baseline[-1]}; load {os.getloadavg()}",
                          flush=True)
        finally:
            client.close()
            prism.terminate()
            prism.wait(timeout=10)
            server.stop()
    text = render(hotline, baseline)
    print(text)
    write_section(Path("docs/BENCHMARKS.md"), "callbacks", text)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
