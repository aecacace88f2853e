"""Queues in Redis: order by priority then arrival with ageing, and assignment that never
double-books a caller or an agent, even with several processes racing."""

from __future__ import annotations

import multiprocessing
from collections import Counter

import redis

from queues.queue_store import ASSIGNMENTS, QueueStore

T0 = 1_800_000_000.0


def test_callers_wait_in_priority_then_arrival_order(redis_client: redis.Redis) -> None:
    store = QueueStore(redis_client)
    store.arrive("CA-normal-1", "billing", "L1", ["billing"], "normal", T0)
    store.arrive("CA-normal-2", "billing", "L1", ["billing"], "normal", T0 + 10)
    high = store.arrive("CA-high", "billing", "L1", ["billing"], "high", T0 + 20)
    assert high.position == 1
    assert store.position("CA-normal-1", "billing:L1") == 2
    assert store.position("CA-normal-2", "billing:L1") == 3


def test_a_long_wait_beats_a_new_urgent_caller(redis_client: redis.Redis) -> None:
    store = QueueStore(redis_client)
    store.arrive("CA-low", "billing", "L1", [], "low", T0)
    late_urgent = store.arrive("CA-urgent", "billing", "L1", [], "urgent", T0 + 1300)
    assert late_urgent.position == 2  # waited 1,300 s > the 1,200 s between their head starts
    soon_urgent = store.arrive("CA-urgent-2", "billing", "L1", [], "urgent", T0 + 1000)
    assert soon_urgent.position == 1


def test_arriving_twice_keeps_the_first_place(redis_client: redis.Redis) -> None:
    store = QueueStore(redis_client)
    store.arrive("CA-1", "billing", "L1", [], "normal", T0)
    store.arrive("CA-2", "billing", "L1", [], "normal", T0 + 5)
    again = store.arrive("CA-1", "billing", "L1", [], "urgent", T0 + 60)
    assert again.position == 1 and store.waiting("billing:L1") == 2


def test_abandoning_leaves_the_queue_at_once(redis_client: redis.Redis) -> None:
    store = QueueStore(redis_client)
    store.arrive("CA-1", "billing", "L1", [], "normal", T0)
    store.arrive("CA-2", "billing", "L1", [], "normal", T0 + 5)
    assert store.abandon("CA-1", "billing:L1")
    assert store.position("CA-2", "billing:L1") == 1
    assert not store.abandon("CA-1", "billing:L1")


def test_an_available_agent_of_the_right_skill_and_tier_takes_the_call_at_once(
    redis_client: redis.Redis,
) -> None:
    store = QueueStore(redis_client)
    store.sign_in("ana", "L1", ["billing"], T0 - 50)
    store.sign_in("bo", "L2", ["internet"], T0 - 100)
    store.sign_in("cy", "L2", ["billing", "internet"], T0 - 10)
    assert store.arrive("CA-1", "tech", "L2", ["internet"], "normal", T0).agent == "bo"
    assert store.arrive("CA-2", "tech", "L2", ["internet"], "normal", T0).agent == "cy"
    # Nobody left with internet at L2: the third waits.
    assert store.arrive("CA-3", "tech", "L2", ["internet"], "normal", T0).position == 1
    assert store.arrive("CA-4", "billing", "L1", ["billing"], "normal", T0).agent == "ana"


def test_a_repeat_caller_reaches_their_last_agent_when_available(
    redis_client: redis.Redis,
) -> None:
    store = QueueStore(redis_client)
    store.sign_in("ana", "L1", ["billing"], T0 - 500)
    store.sign_in("eve", "L1", ["billing"], T0 - 10)
    arrival = store.arrive("CA-1", "billing", "L1", ["billing"], "normal", T0,
                           preferred_agent="eve")
    assert arrival.agent == "eve"


def test_a_freed_agent_gets_the_best_ranked_caller_of_their_queues(
    redis_client: redis.Redis,
) -> None:
    store = QueueStore(redis_client)
    store.arrive("CA-billing", "billing", "L1", [], "normal", T0)
    store.arrive("CA-refund", "refunds", "L1", [], "high", T0 + 100)
    store.sign_in("ana", "L1", ["billing"], T0 + 200)
    assert store.next_for_agent("ana", ["billing:L1", "refunds:L1"]) == "CA-refund"
    assert store.next_for_agent("ana", ["billing:L1", "refunds:L1"]) is None  # busy now
    assert not store.sign_in("ana", "L1", ["billing"], T0 + 250)  # not while on a call
    assert not store.finish("ana", "CA-other", "L1", ["billing"], T0 + 250)
    assert store.finish("ana", "CA-refund", "L1", ["billing"], T0 + 300)
    assert not store.finish("ana", "CA-refund", "L1", ["billing"], T0 + 301)  # only once
    assert store.next_for_agent("ana", ["billing:L1", "refunds:L1"]) == "CA-billing"


def _race(redis_url: str, worker: int, rounds: int) -> None:
    client = redis.Redis.from_url(redis_url)
    store = QueueStore(client)
    for n in range(rounds):
        store.arrive(f"CA-{worker}-{n}", "billing", "L1", ["billing"], "normal", T0 + n)
        agent = f"agent-{(worker * rounds + n) % 6}"
        current = client.hget(f"hotline:agent:{agent}", "call")
        if current:
            store.finish(agent, current.decode(), "L1", ["billing"], T0 + n)
        else:
            store.sign_in(agent, "L1", ["billing"], T0 + n)
        store.next_for_agent(agent, ["billing:L1"])
    client.close()


def test_racing_processes_never_double_book_a_caller_or_an_agent(
    redis_url: str, redis_client: redis.Redis
) -> None:
    processes = [multiprocessing.get_context("fork").Process(target=_race,
                                                             args=(redis_url, w, 150))
                 for w in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        assert process.exitcode == 0
    log = [item.decode().split() for item in redis_client.lrange(ASSIGNMENTS, 0, -1)]
    assignments = [entry for entry in log if len(entry) == 2]
    calls = Counter(call for _, call in assignments)
    assert assignments and max(calls.values()) == 1
    holding: dict[str, str] = {}
    for entry in log:  # each agent alternates: take a call, finish that same call
        agent, call = entry[0], entry[1]
        if len(entry) == 2:
            assert agent not in holding, f"{agent} got {call} while on {holding.get(agent)}"
            holding[agent] = call
        else:
            assert holding.pop(agent) == call
    waiting = redis_client.zcard("hotline:queue:billing:L1:waiting")
    assert len(calls) + waiting == 600


def test_claiming_an_agent_reserves_the_best_eligible_one_until_the_task_is_finished(
    redis_client: redis.Redis,
) -> None:
    store = QueueStore(redis_client)
    store.sign_in("ana", "L1", ["billing"], T0 - 500)
    store.sign_in("bo", "L2", ["billing", "refunds"], T0 - 100)
    assert store.claim_agent("cb:1", "L2", ["refunds"]) == "bo"
    assert store.claim_agent("cb:2", "L2", ["refunds"]) is None  # bo is reserved for cb:1
    assert store.arrive("CA-1", "billing", "L1", ["billing"], "normal", T0).agent == "ana"
    assert store.finish("bo", "cb:1", "L2", ["billing", "refunds"], T0 + 60)
    assert store.claim_agent("cb:2", "L1", ["billing"], preferred_agent="bo") == "bo"
    assert not store.release("bo", "cb:1", T0 + 70)  # cb:1 is over: bo now holds cb:2
    assert store.release("bo", "cb:2", T0 + 90)
    assert store.claim_agent("cb:3", "L2", ["refunds"]) == "bo"
