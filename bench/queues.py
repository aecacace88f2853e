"""Benchmark: queue operations with 100,000 callers waiting, per operation p50/p99, next to a
bare Redis PING round trip from the same client (the baseline). Run with `./dev bench`."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import redis

from bench.report import machine, write_section
from core.embedded_redis import EmbeddedRedis
from core.redis_values import text
from queues.agents import Agent, AgentRegistry
from queues.queue_store import QueueStore, set_name

WAITING = 100_000
OPS = 3_000
RUNS = 3
T0 = 1_800_000_000.0
QUEUE = set_name("billing", "L1", ["billing"])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp), persist=False) as server:
        client = redis.Redis.from_url(server.url)
        runs: dict[str, list[tuple[float, float]]] = {}
        for _ in range(RUNS):
            client.flushdb()
            for name, timings in measure(QueueStore(client), client).items():
                runs.setdefault(name, []).append(timings)
        client.close()
    write_section(Path("docs/BENCHMARKS.md"), "queues", render(runs))
    print(render(runs))


def measure(store: QueueStore, client: redis.Redis) -> dict[str, tuple[float, float]]:
    fill(client)
    n = iter(range(10**9))
    results = {
        "PING (baseline)": timed(lambda: client.ping()),
        "enqueue": timed(lambda: store.arrive(f"CA-new-{next(n)}", "billing", "L1",
                                              ["billing"], "normal", T0 + 5000)),
        "position": timed(lambda: store.position(f"CA-{next(n) % WAITING:06d}")),
        "assign": timed(lambda: assign(store), before=lambda: ready(store),
                        after=lambda: hang_up(store)),
        "abandon": timed(lambda: store.abandon(f"CA-{WAITING - 1 - next(n) % OPS:06d}")),
    }
    if store.waiting(QUEUE) < WAITING - 2 * OPS:
        raise SystemExit("benchmark invalid: the queue did not stay at about 100,000 callers")
    return results


def fill(client: redis.Redis) -> None:
    """100,000 callers waiting (through the store's own script), then 50 agents signed in
    but not available, so the queue stays full."""
    store = QueueStore(client)
    for i in range(WAITING):
        store.arrive(f"CA-{i:06d}", "billing", "L1", ["billing"], "normal", T0 + i)
    registry = AgentRegistry(client)
    for a in range(50):
        registry.register(Agent(f"agent-{a}", f"Agent {a}", f"client:agent-{a}", "L1",
                                ("billing",)), T0)
    registry.register(Agent("agent-bench", "Bench", "client:bench", "L1", ("billing",)), T0)


AGENT = "agent-bench"


def ready(store: QueueStore) -> None:
    store.set_status(AGENT, "available", T0)


def assign(store: QueueStore) -> None:
    if store.next_for_agent(AGENT, T0) is None:
        raise SystemExit("benchmark invalid: nobody to assign")


def hang_up(store: QueueStore) -> None:
    held = store.redis.hget(f"hotline:agent:{AGENT}", "call")
    assert held, "benchmark invalid: the agent holds no task"
    store.finish(AGENT, text(held), T0, then="offline")


def timed(operation: Callable[[], object], before: Callable[[], object] = lambda: None,
          after: Callable[[], object] = lambda: None) -> tuple[float, float]:
    """p50 and p99 (ms) of `operation`; `before` and `after` run untimed around each call."""
    samples = []
    for _ in range(OPS):
        before()
        started = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - started) * 1000)
        after()
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def render(runs: dict[str, list[tuple[float, float]]]) -> str:
    base = statistics.median(p50 for p50, _ in runs["PING (baseline)"])
    lines = [
        "## Queue operations with 100,000 callers waiting",
        "",
        f"Machine: {machine()}.  ",
        f"Setup: {WAITING:,} callers in one queue, 50 agents registered (offline); "
        f"{OPS:,} timed calls per operation from one Python client over loopback; "
        f"median of {RUNS} runs. `assign` "
        "gives a freshly available agent the best task of every set they serve (making them "
        "available before and ending the call after are not timed); `position` reads the "
        "caller's hash and rank.",
        "",
        "| operation | p50 ms | p99 ms | p50 ratio to PING | target p99 < 1 ms |",
        "|---|---:|---:|---:|---|",
    ]
    for name, samples in runs.items():
        p50 = statistics.median(s[0] for s in samples)
        p99 = statistics.median(s[1] for s in samples)
        verdict = "–" if name.startswith("PING") else ("met" if p99 < 1 else "MISSED")
        lines.append(f"| {name} | {p50:.3f} | {p99:.3f} | {p50 / base:.1f} | {verdict} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
