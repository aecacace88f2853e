"""Pacing: every worker together keeps the calls-per-second limit; customer-first callbacks are
released only while agents are free; a retried callback goes back to its original place."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from datetime import UTC, datetime

import redis

from callbacks import dialer, outcomes
from callbacks.pacing import Pacer
from callbacks.record import State
from callbacks.transcript import callback_event
from core.clock import FixedClock
from queues.queue_store import QueueStore
from tests.callbacks.support import NOW, available, make_runtime, sent, wanted

T = NOW.timestamp()


def _reserve(redis_url: str, count: int, out: multiprocessing.Queue[float]) -> None:
    client = redis.Redis.from_url(redis_url)
    pacer = Pacer(client, cps=50)
    for _ in range(count):
        out.put(pacer.reserve()[0])
    client.close()


def test_workers_together_never_exceed_the_calls_per_second_limit(redis_url: str) -> None:
    context = multiprocessing.get_context("fork")
    out: multiprocessing.Queue[float] = context.Queue()
    workers = [context.Process(target=_reserve, args=(redis_url, 40, out)) for _ in range(3)]
    for process in workers:
        process.start()
    slots = sorted(out.get(timeout=30) for _ in range(120))
    for process in workers:
        process.join(timeout=30)
    gaps = [b - a for a, b in zip(slots, slots[1:], strict=False)]
    assert min(gaps) >= 0.02 - 1e-6  # 50 calls per second, across all three processes


def test_customer_first_dials_only_while_free_agents_outnumber_callbacks_dialling(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    rt, scheduled = make_runtime(redis_client, twilio_api, customer_first_queues=("billing",))
    for name in ("ann", "bob"):
        available(redis_client, name, "L1", ["billing"], T)
    for n in range(3):
        record = wanted(f"cb{n}", phone=f"+1212555010{n}")
        rt.store.request(record, callback_event(NOW, record, "Callback promised"))
    results = [dialer.due(rt, f"cb{n}") for n in range(3)]
    assert [r.split(" ")[0] for r in results] == ["placed", "placed", "waiting"]
    assert len(sent(rt)) == 2 and scheduled.items[-1][0] == "cb2"
    first = rt.store.get("cb0")
    assert first is not None and first.agent == ""  # nobody was reserved
    outcomes.status(rt, first.attempt, "CAx", "busy")
    assert dialer.due(rt, "cb2").startswith("placed")
    second = rt.store.get("cb1")
    assert second is not None
    picked = outcomes.answered(rt, second.attempt, "CAy", "human")
    assert picked.action == "connect" and picked.record is not None and not picked.record.agent


def test_a_retried_callback_goes_back_to_its_original_place_in_line(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    clock = FixedClock(NOW)
    rt, _ = make_runtime(redis_client, twilio_api, clock=clock)
    queues = QueueStore(redis_client)
    available(redis_client, "ann", "L1", ["billing"], T)
    record = wanted()  # arrived 300 s before NOW
    rt.store.request(record, callback_event(NOW, record, "Callback promised"))
    dialer.due(rt, "cb1")
    attempt = rt.store.get("cb1")
    assert attempt is not None
    outcomes.status(rt, attempt.attempt, "CAx", "no-answer")
    assert queues.set_status("ann", "offline", T) == 1
    queues.arrive("CA" + "1" * 32, "billing", "L1", ["billing"], "normal", T - 600, now=T)
    queues.arrive("CA" + "2" * 32, "billing", "L1", ["billing"], "normal", T - 100, now=T)
    retry = rt.store.get("cb1")
    assert retry is not None and retry.state is State.RETRY_WAIT
    assert dialer.due(rt, "cb1") == "not due yet"
    clock.set(datetime.fromtimestamp(retry.next_try, UTC))
    assert dialer.due(rt, "cb1") == "waiting for an agent"
    assert queues.position("cb:cb1") == 2  # behind the 600 s wait, ahead of the 100 s one


class CountingPacer(Pacer):
    """A pacer that notes every turn taken (and does not sleep through it)."""

    def __init__(self, client: redis.Redis, cps: float) -> None:
        super().__init__(client, cps, sleep=lambda seconds: None)
        self.turns: list[float] = []

    def wait_turn(self) -> float:
        slot = super().wait_turn()
        self.turns.append(slot)
        return slot


def test_every_call_placed_waits_for_its_own_turn(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    rt, _ = make_runtime(redis_client, twilio_api)
    pacer = CountingPacer(redis_client, cps=1.0)
    rt = replace(rt, pacer=pacer)
    for n in range(3):
        available(redis_client, f"agent{n}", "L1", ["billing"], T + n)
        record = wanted(f"cb{n}", phone=f"+1212555010{n}")
        rt.store.request(record, callback_event(NOW, record, "Callback promised"))
    results = [dialer.due(rt, f"cb{n}") for n in range(3)]
    assert all(r.startswith("placed") for r in results) and len(sent(rt)) == 3
    assert len(pacer.turns) == 3  # one turn per call, at least 1 s apart at 1 call per second
    assert all(b - a >= 1.0 - 1e-6 for a, b in zip(pacer.turns, pacer.turns[1:], strict=False))
