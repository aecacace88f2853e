"""A simulated contact-centre day against the real queue store, in virtual time, with several
processes racing on every step: callers arrive (with issue, tier, skills, priority, patience and
handle time), agents with skills and tiers take them, talk, wrap up and take the next; some
callers give up. Afterwards the day is checked: everyone who stayed reached an eligible agent,
nobody twice, no agent double-booked, priority callers first, and how far the wait estimate was
from the wait each caller had. Run the full day with `.venv/bin/python -m bench.simulated_day`;
tests/queues/test_simulated_day.py runs a short one.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import random
import statistics
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import redis

from bench.report import machine, write_section
from core import keys
from core.embedded_redis import EmbeddedRedis
from core.redis_values import text
from core.routing import Routing
from core.spoken import wait_minutes
from queues.agents import Agent, AgentRegistry, covers
from queues.estimate import wait_bounds
from queues.line import Line
from queues.queue_store import QueueStore, set_name
from queues.wait_stats import WaitStats

T0 = 1_800_000_000.0
TICK = 5.0
WRAP_UP = 30.0
LINES = [  # queue, tier, skills, share of calls, mean handle time (s)
    ("billing", "L1", ("billing",), 0.35, 240.0),
    ("account", "L1", ("account",), 0.15, 180.0),
    ("tech", "L1", ("internet",), 0.30, 300.0),
    ("tech", "L2", ("business", "internet"), 0.15, 420.0),
    ("tech", "L3", ("internet",), 0.05, 600.0),
]
AGENTS = [  # how many, tier, skills
    (7, "L1", ("account", "billing")),
    (6, "L1", ("internet",)),
    (4, "L2", ("billing", "business", "internet")),
    (2, "L3", ("account", "billing", "business", "internet")),
]
PRIORITIES = [("normal", 0.70), ("high", 0.15), ("low", 0.10), ("urgent", 0.05)]


@dataclass(frozen=True)
class Caller:
    task: str
    arrives: float
    queue: str
    tier: str
    skills: tuple[str, ...]
    priority: str
    handle: float
    patience: float
    preferred: str | None


def day_plan(hours: float, calls_per_hour: float, seed: int) -> list[Caller]:
    rng = random.Random(seed)
    callers: list[Caller] = []
    at = T0
    while at < T0 + hours * 3600:
        at += rng.expovariate(calls_per_hour / 3600)
        line = rng.choices(LINES, weights=[w for *_, w, _ in LINES])[0]
        priority = rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0]
        handle = max(30.0, rng.expovariate(1 / line[4]))
        patience = rng.choice([float("inf")] * 9 + [rng.uniform(120, 900)])
        eligible = [a.id for a in staff() if covers(a, line[1], line[2])]
        preferred = rng.choice(eligible) if rng.random() < 0.1 else None
        callers.append(Caller(f"CA{len(callers):06d}", round(at, 1), line[0], line[1],
                              line[2], priority, round(handle, 1), patience, preferred))
    return callers


def staff() -> list[Agent]:
    return [Agent(f"{tier}-{group}{n}", "Agent", f"client:{tier}-{group}{n}", tier, skills,
                  int(WRAP_UP))
            for group, (count, tier, skills) in enumerate(AGENTS) for n in range(count)]


def run_day(redis_url: str, hours: float = 8.0, calls_per_hour: float = 200.0,
            processes: int = 4, seed: int = 7) -> dict[str, Any]:
    """Play one day with `processes` racing; the checked results (raises if a rule broke)."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    plan = day_plan(hours, calls_per_hour, seed)
    registry, store = AgentRegistry(client), QueueStore(client)
    for agent in staff():
        registry.register(agent, T0)
        store.set_status(agent.id, "available", T0)
    client.hset("sim:callers", mapping={c.task: json.dumps(asdict(c), default=str)
                                        for c in plan})
    ticks = int((hours * 3600 + 4 * 3600) / TICK)  # the day, then time to empty the line
    barrier = multiprocessing.get_context("fork").Barrier(processes)
    workers = [multiprocessing.get_context("fork").Process(
        target=_work, args=(redis_url, plan, ticks, barrier, p, processes))
        for p in range(processes)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise RuntimeError(f"a simulation process failed (exit {worker.exitcode})")
    results = check_day(client, plan)
    client.close()
    return results


def _work(redis_url: str, plan: list[Caller], ticks: int, barrier: Any, me: int,
          of: int) -> None:
    client = redis.Redis.from_url(redis_url)
    day = _Day(client)
    mine = [c for i, c in enumerate(plan) if i % of == me]
    upcoming = iter(sorted(mine, key=lambda c: c.arrives))
    pending = next(upcoming, None)
    for tick in range(ticks):
        now = T0 + tick * TICK
        while pending is not None and pending.arrives <= now:
            day.arrive(pending, now)
            pending = next(upcoming, None)
        day.due(now)
        barrier.wait()
    client.close()


class _Day:
    """One process's share of the day: its own arrivals, and whatever events it claims."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self.store = QueueStore(client)
        self.stats = WaitStats(client)
        self.line = Line(self.store, AgentRegistry(client), self.stats, 300.0)

    def arrive(self, caller: Caller, now: float) -> None:
        arrival = self.store.arrive(caller.task, caller.queue, caller.tier, caller.skills,
                                    caller.priority, now, caller.preferred, now=now)
        if arrival.agent is not None:
            self._assigned(caller.task, arrival.agent, now, now)
            return
        routing = Routing(queue=caller.queue, tier=caller.tier, skills=caller.skills,
                          priority=caller.priority, queued_at=now)
        outlook = self.line.outlook(routing, caller.task, now)
        if outlook.wait is not None:
            self.stats.predict(caller.task, outlook.wait, now)
            waiting = set_name(caller.queue, caller.tier, caller.skills)
            self.redis.hset("sim:predicted", caller.task, json.dumps({
                "hotline": outlook.wait, "position": outlook.position,
                "oracle": oracle_wait(caller, outlook.position),
                "average": self._average_wait(waiting, caller.task, now)}))
        if caller.patience != float("inf"):
            self.redis.zadd("sim:gives-up", {caller.task: now + caller.patience})

    def due(self, now: float) -> None:
        for entry in self._claim("sim:talking", now):
            agent, task = entry.split(" ", 1)
            handle = json.loads(self.redis.hget("sim:callers", task) or "{}")["handle"]
            self.store.finish(agent, task, now, "wrap-up", "after call")
            queue = json.loads(self.redis.hget("sim:callers", task) or "{}")["queue"]
            self.stats.record_handle_time(queue, handle)
            self.redis.zadd("sim:wrapping", {f"{agent} {now}": now + WRAP_UP})
        for entry in self._claim("sim:wrapping", now):
            agent, since = entry.split(" ")
            if self.store.set_status(agent, "available", now, "", if_since=float(since)) == 1:
                given = self.store.next_for_agent(agent, now)
                if given is not None:
                    self._assigned(given.task, agent, now, now)
        for task in self._claim("sim:gives-up", now):
            if self.store.abandon(task):
                self.stats.forget(task)
                self.redis.sadd("sim:abandoned", task)

    def _average_wait(self, waiting_set: str, task: str, now: float) -> float:
        """Twilio's AvgQueueTime: how long the callers now in the line have waited, on
        average (0 with nobody else in it)."""
        members = cast(list[bytes], self.redis.zrange(keys.queue_waiting(waiting_set), 0, -1))
        others = [text(t) for t in members]
        others = [t for t in others if t != task]
        if not others:
            return 0.0
        arrived = [json.loads(raw or "{}")["arrives"]
                   for raw in self.redis.hmget("sim:callers", others)]
        return statistics.fmean(now - a for a in arrived)

    def _assigned(self, task: str, agent: str, at: float, now: float) -> None:
        caller = json.loads(self.redis.hget("sim:callers", task) or "{}")
        self.stats.settle(task, now)
        self.redis.hset("sim:served", task, json.dumps({"agent": agent, "at": at}))
        self.redis.zadd("sim:talking", {f"{agent} {task}": at + float(caller["handle"])})

    def _claim(self, events: str, now: float) -> list[str]:
        """Due events of `events`, each claimed by exactly one process (ZREM decides)."""
        due = [text(e) for e in cast(list[bytes], self.redis.zrangebyscore(events, "-inf", now))]
        return [e for e in due if self.redis.zrem(events, e)]


PATIENCE_SHARE, MEAN_PATIENCE = 0.1, (120 + 900) / 2
"""The true patience of the plan's callers: one in ten gives up, after 510 s on average."""


def oracle_wait(caller: Caller, position: int) -> float:
    """The queue-length predictor given the true rates: with every one of the line's `s`
    agents busy, each handling its calls at rate mu (true mean handle time plus wrap-up), and
    the k callers still ahead each giving up at rate theta, the caller at `position` waits for
    `position` departures, the one with k ahead at rate s*mu + k*theta."""
    staffed = sum(1 for a in staff() if covers(a, caller.tier, caller.skills))
    handle = next(h for q, t, sk, _, h in LINES if (q, t, sk) == (caller.queue, caller.tier,
                                                                 caller.skills))
    mu, theta = 1 / (handle + WRAP_UP), PATIENCE_SHARE / MEAN_PATIENCE
    return sum(1 / (staffed * mu + k * theta) for k in range(max(position, 1)))


ESTIMATORS = ("hotline", "oracle", "average")


def accuracy(predicted: dict[str, dict[str, float]], actual: dict[str, float]
             ) -> dict[str, dict[str, float]]:
    """Per estimator, over the callers who got an estimate and reached an agent: mean absolute
    error, mean error (+ = too long), and, over those told a range (second in line or
    further back), the share whose wait fell in the minutes they were told."""
    served = [t for t in predicted if t in actual]
    told = [t for t in served if predicted[t]["position"] >= 2]
    found: dict[str, dict[str, float]] = {}
    for name in ESTIMATORS:
        errors = [predicted[t][name] - actual[t] for t in served]
        held = [_within(wait_minutes(*wait_bounds(predicted[t][name],
                                                  int(predicted[t]["position"]))), actual[t])
                for t in told]
        before = [_within(_range_before(predicted[t][name]), actual[t]) for t in told]
        found[name] = {"mae": statistics.fmean(abs(e) for e in errors),
                       "mean_error": statistics.fmean(errors),
                       "range_held": sum(held) / len(held), "told": len(told),
                       "range_before_held": sum(before) / len(before)}
    return found


def _range_before(seconds: float) -> tuple[int, int | None]:
    """The minutes said before the range followed the position (issue #17): from the
    estimate down to the minute to 1.4 times it, up."""
    if seconds < 60:
        return 0, 1
    low = max(1, math.floor(seconds / 60))
    high = max(low + 1, math.ceil(seconds * 1.4 / 60))
    return (low, high) if high <= 60 else (60, None)


def _within(minutes: tuple[int, int | None], seconds: float) -> bool:
    low, high = minutes
    return low * 60 <= seconds and (high is None or seconds <= high * 60)


def check_day(client: redis.Redis, plan: list[Caller]) -> dict[str, Any]:
    """Every rule of the day, checked from what Redis recorded; raises AssertionError."""
    agents = {a.id: a for a in staff()}
    served = {text(k): json.loads(v) for k, v in client.hgetall("sim:served").items()}
    abandoned = {text(t) for t in client.smembers("sim:abandoned")}
    _, problems = QueueStore(client).audit()
    assert not problems, f"the assignment log shows broken rules: {problems[:5]}"
    waits: dict[str, list[float]] = defaultdict(list)
    repeat = [0, 0]
    for caller in plan:
        if caller.task in abandoned:
            assert caller.task not in served, f"{caller.task} abandoned yet served"
            continue
        assert caller.task in served, f"{caller.task} never reached an agent"
        agent = agents[served[caller.task]["agent"]]
        assert covers(agent, caller.tier, caller.skills), f"{agent.id} can't take {caller}"
        waits[caller.priority].append(served[caller.task]["at"] - caller.arrives)
        if caller.preferred:
            repeat[0] += 1
            repeat[1] += agent.id == caller.preferred
    mean_wait = {p: statistics.fmean(w) for p, w in waits.items()}
    order = [p for p in ("urgent", "high", "normal", "low") if p in mean_wait]
    assert [mean_wait[p] for p in order] == sorted(mean_wait[p] for p in order), \
        f"priority callers did not go first: {mean_wait}"
    arrived = {c.task: c.arrives for c in plan}
    actual = {t: s["at"] - arrived[t] for t, s in served.items()}
    predicted = {text(t): json.loads(v) for t, v in client.hgetall("sim:predicted").items()}
    compared = accuracy(predicted, actual)
    accuracy_kept = WaitStats(client).accuracy()
    return {"callers": len(plan), "served": len(served), "abandoned": len(abandoned),
            "estimators": compared,
            "mean_wait_by_priority": {p: round(mean_wait[p], 1) for p in order},
            "repeat_callers_to_last_agent": repeat,
            "estimated_callers": accuracy_kept.callers,
            "mean_absolute_error": round(accuracy_kept.mean_absolute_error, 1),
            "mean_error": round(accuracy_kept.mean_error, 1),
            "mean_actual_wait": round(accuracy_kept.mean_actual_wait, 1)}


RUNS = 3


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp), persist=False) as server:
        runs = [run_day(server.url, seed=seed) for seed in range(RUNS)]
    write_section(Path("docs/BENCHMARKS.md"), "simulated-day", render(runs))
    print(render(runs))


def render(runs: list[dict[str, Any]]) -> str:
    def median(key: str) -> float:
        return statistics.median(float(r[key]) for r in runs)

    waits = {p: statistics.median(r["mean_wait_by_priority"][p] for r in runs)
             for p in runs[0]["mean_wait_by_priority"]}
    return "\n".join([
        "## Simulated day: queues and the wait estimate",
        "",
        f"Machine: {machine()}.  ",
        "Command: `.venv/bin/python -m bench.simulated_day` (also run by `./dev bench`).  ",
        f"Setup: 8 h at 200 calls/h over {len(LINES)} lines (L1 to L3, skills), "
        f"{sum(n for n, *_ in AGENTS)} agents with skills and tiers, 30 s wrap-up, exponential "
        "handle times, 10% of callers give up after 2 to 15 min, 10% repeat callers; 4 "
        f"processes race on every step in {TICK:.0f} s virtual ticks; median of {RUNS} days "
        "(seeds 0 to 2). Every run is checked: everyone who stayed reached an agent of the "
        "needed skill and tier, nobody twice, no agent double-booked, priority callers first.",
        "",
        "| figure | median of the days |",
        "|---|---:|",
        f"| callers | {median('callers'):.0f} |",
        f"| served | {median('served'):.0f} |",
        f"| gave up while waiting | {median('abandoned'):.0f} |",
        *[f"| mean wait, {p} priority (s) | {w:.0f} |" for p, w in waits.items()],
        f"| callers given an estimate and then served | {median('estimated_callers'):.0f} |",
        f"| **wait estimate: mean absolute error (s)** | **{median('mean_absolute_error'):.0f}**"
        " |",
        f"| wait estimate: mean error, + = estimate too long (s) | {median('mean_error'):.0f} |",
        f"| mean actual wait of those callers (s) | {median('mean_actual_wait'):.0f} |",
        "",
        *compare(runs),
    ])


ESTIMATOR_NAMES = {
    "hotline": "Hotline (`queues/estimate.py`: the line's recent service rate)",
    "oracle": "oracle: queue-length predictor with the true rates",
    "average": "average wait now in line (Twilio's `AvgQueueTime`)",
}


def compare(runs: list[dict[str, Any]]) -> list[str]:
    """The three estimators on the same callers, each figure the median of the days, the
    ratio to the oracle's MAE taken within each day."""
    def median(name: str, key: str) -> float:
        return statistics.median(float(r["estimators"][name][key]) for r in runs)

    def ratio(name: str) -> float:
        return statistics.median(float(r["estimators"][name]["mae"])
                                 / float(r["estimators"]["oracle"]["mae"]) for r in runs)

    return [
        "Every caller given an estimate on joining, by three estimators at the same moment: "
        "the oracle knows each line's true mean handle time (plus wrap-up) and the callers' "
        "true patience (one in ten gives up, after 510 s on average) and counts the line's "
        "eligible agents as its servers, E[W] = sum over k < position of 1 / (s mu + k theta); "
        "the average is the mean time the callers now in the line have waited. The range is "
        "the one said on hold (`queues.estimate.wait_bounds`, whole minutes by "
        "`core.spoken.wait_minutes`) to callers second in line or further back "
        f"({median('hotline', 'told'):.0f} callers a day); the first in line hears only that "
        "an agent is next. Goal: Hotline's MAE at most 1.2 x the oracle's and well below the "
        "average's; the range holds for at least 80% of callers.",
        "",
        "| estimator | MAE (s) | MAE / oracle's | mean error (s) | spoken range held |",
        "|---|---:|---:|---:|---:|",
        *[f"| {label} | {median(name, 'mae'):.0f} | {ratio(name):.2f} | "
          f"{median(name, 'mean_error'):+.0f} | {median(name, 'range_held'):.0%} |"
          for name, label in ESTIMATOR_NAMES.items()],
        "",
        "The range said before (from Hotline's estimate, down to the minute, to 1.4 times it, "
        f"up) held for {median('hotline', 'range_before_held'):.0%} of the same callers: "
        "exponential handle times make the time until an agent frees up as spread as its mean "
        "for the second in line, so no fixed -0/+40% band can hold; the range now spans the "
        "middle 85% of the Gamma(position) time the departures take, wide near the head of the "
        "line and narrower further back. The oracle errs short because a line's eligible agents "
        "also serve other lines (the L2 and L3 agents take L1 calls, ranked by waiting time), "
        "which the line's own recent departures, Hotline's rate, already show; most of "
        "Hotline's remaining error is the L3 line, a twentieth of the calls served by two "
        "agents shared with every line, where waits reach an hour.",
    ]


if __name__ == "__main__":
    main()
