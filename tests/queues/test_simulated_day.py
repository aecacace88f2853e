"""A short simulated day (bench/simulated_day.py) with three processes racing on the queue
store: its checks raise if any caller was lost, served twice or by the wrong agent, if an agent
was double-booked, or if priority callers did not go first."""

from __future__ import annotations

from bench.simulated_day import run_day


def test_a_simulated_morning_keeps_every_rule_with_processes_racing(redis_url: str) -> None:
    day = run_day(redis_url, hours=1.5, calls_per_hour=230.0, processes=3, seed=3)
    assert day["callers"] > 250
    assert day["served"] + day["abandoned"] == day["callers"]
    assert day["estimated_callers"] > 50
    waits = day["mean_wait_by_priority"]
    assert waits["urgent"] < waits["normal"]
    taken, asked = day["repeat_callers_to_last_agent"][1], day["repeat_callers_to_last_agent"][0]
    assert asked > 0 and taken > 0


def test_the_wait_estimate_beats_the_average_and_its_range_mostly_holds(redis_url: str) -> None:
    day = run_day(redis_url, hours=1.5, calls_per_hour=230.0, processes=3, seed=3)
    hotline, oracle, average = (day["estimators"][n] for n in ("hotline", "oracle", "average"))
    assert hotline["told"] > 150
    assert hotline["mae"] <= 1.2 * oracle["mae"]
    assert hotline["mae"] < 0.8 * average["mae"]
    # 80% is the goal over full days (docs/BENCHMARKS.md); a morning of ~220 callers told a
    # range swings a few points around it.
    assert hotline["range_held"] >= 0.75
    assert hotline["range_held"] > max(oracle["range_held"], average["range_held"])
