"""Queues in Redis: order by priority then arrival with ageing, and assignment that never
double-books a caller or an agent, even with several processes racing."""

from __future__ import annotations

import multiprocessing

import redis

from core.redis_values import text
from queues.queue_store import ASSIGNMENTS, QueueStore
from tests.queues.conftest import Staff, put_on_shift

T0 = 1_800_000_000.0


def test_callers_wait_in_priority_then_arrival_order(store: QueueStore) -> None:
    store.arrive("CA-normal-1", "billing", "L1", ["billing"], "normal", T0)
    store.arrive("CA-normal-2", "billing", "L1", ["billing"], "normal", T0 + 10)
    high = store.arrive("CA-high", "billing", "L1", ["billing"], "high", T0 + 20)
    assert high.position == 1
    assert store.position("CA-normal-1") == 2
    assert store.position("CA-normal-2") == 3


def test_a_long_wait_beats_a_new_urgent_caller(store: QueueStore) -> None:
    store.arrive("CA-low", "billing", "L1", [], "low", T0)
    late_urgent = store.arrive("CA-urgent", "billing", "L1", [], "urgent", T0 + 1300)
    assert late_urgent.position == 2  # waited 1,300 s > the 1,200 s between their head starts
    soon_urgent = store.arrive("CA-urgent-2", "billing", "L1", [], "urgent", T0 + 1000)
    assert soon_urgent.position == 1


def test_arriving_twice_keeps_the_first_place(store: QueueStore) -> None:
    store.arrive("CA-1", "billing", "L1", [], "normal", T0)
    store.arrive("CA-2", "billing", "L1", [], "normal", T0 + 5)
    again = store.arrive("CA-1", "billing", "L1", [], "urgent", T0 + 60)
    assert again.position == 1 and store.waiting("billing:L1:") == 2


def test_abandoning_leaves_the_queue_at_once(store: QueueStore) -> None:
    store.arrive("CA-1", "billing", "L1", [], "normal", T0)
    store.arrive("CA-2", "billing", "L1", [], "normal", T0 + 5)
    assert store.abandon("CA-1")
    assert store.position("CA-2") == 1
    assert not store.abandon("CA-1")


def test_an_available_agent_of_the_right_skill_and_tier_takes_the_call_at_once(
    store: QueueStore, staff: Staff
) -> None:
    staff("ana", "L1", ["billing"], T0 - 50)
    staff("bo", "L2", ["internet"], T0 - 100)
    staff("cy", "L2", ["billing", "internet"], T0 - 10)
    assert store.arrive("CA-1", "tech", "L2", ["internet"], "normal", T0).agent == "bo"
    assert store.arrive("CA-2", "tech", "L2", ["internet"], "normal", T0).agent == "cy"
    # Nobody left with internet at L2: the third waits.
    assert store.arrive("CA-3", "tech", "L2", ["internet"], "normal", T0).position == 1
    assert store.arrive("CA-4", "billing", "L1", ["billing"], "normal", T0).agent == "ana"


def test_a_higher_tier_agent_may_take_a_lower_tier_call_but_not_the_reverse(
    store: QueueStore, staff: Staff
) -> None:
    staff("ana", "L1", ["internet"], T0 - 50)
    assert store.arrive("CA-1", "tech", "L2", ["internet"], "normal", T0).position == 1
    staff("lee", "L3", ["internet"], T0)
    assert store.next_for_agent("ana", T0 + 1) is None
    taken = store.next_for_agent("lee", T0 + 1)
    assert taken is not None and taken.task == "CA-1"


def test_a_repeat_caller_reaches_their_last_agent_when_available(
    store: QueueStore, staff: Staff
) -> None:
    staff("ana", "L1", ["billing"], T0 - 500)
    staff("eve", "L1", ["billing"], T0 - 10)
    arrival = store.arrive("CA-1", "billing", "L1", ["billing"], "normal", T0,
                           preferred_agent="eve")
    assert arrival.agent == "eve"
    busy_eve = store.arrive("CA-2", "billing", "L1", ["billing"], "normal", T0,
                            preferred_agent="eve")
    assert busy_eve.agent == "ana"  # the preferred agent is busy: the next best takes it


def test_arriving_again_while_assigned_keeps_the_same_agent_and_assignment(
    store: QueueStore, staff: Staff
) -> None:
    staff("ana", "L1", [], T0 - 5)
    first = store.arrive("CA-1", "billing", "L1", [], "normal", T0)
    again = store.arrive("CA-1", "billing", "L1", [], "normal", T0 + 3)
    assert first.agent == again.agent == "ana" and first.assignment == again.assignment


def test_a_freed_agent_gets_the_best_ranked_task_of_every_set_they_serve(
    store: QueueStore, staff: Staff
) -> None:
    store.arrive("CA-billing", "billing", "L1", ["billing"], "normal", T0)
    store.arrive("CA-refund", "billing", "L1", ["billing", "refunds"], "high", T0 + 100)
    store.arrive("CA-internet", "tech", "L1", ["internet"], "urgent", T0 + 50)
    staff("ana", "L1", ["billing", "refunds"], T0 + 200)
    first = store.next_for_agent("ana", T0 + 200)
    assert first is not None and first.task == "CA-refund"
    assert store.next_for_agent("ana", T0 + 201) is None  # busy now
    assert store.set_status("ana", "available", T0 + 250) == 0  # not while on a call
    assert not store.finish("ana", "CA-other", T0 + 250)
    assert store.finish("ana", "CA-refund", T0 + 300)
    assert not store.finish("ana", "CA-refund", T0 + 301)  # only once
    second = store.next_for_agent("ana", T0 + 300)
    assert second is not None and second.task == "CA-billing"
    assert second.number > first.number
    assert store.waiting_task("CA-internet") is not None  # not ana's skill


def test_wrap_up_and_offline_agents_are_not_given_tasks(store: QueueStore,
                                                        staff: Staff) -> None:
    staff("ana", "L1", [], T0)
    assert store.arrive("CA-1", "billing", "L1", [], "normal", T0).agent == "ana"
    assert store.finish("ana", "CA-1", T0 + 60, then="wrap-up")
    assert store.arrive("CA-2", "billing", "L1", [], "normal", T0 + 61).position == 1
    assert store.set_status("ana", "offline", T0 + 62) == 1
    assert store.next_for_agent("ana", T0 + 63) is None
    assert store.set_status("nobody", "available", T0) == -1
    assert store.set_status("ana", "available", T0 + 70) == 1
    taken = store.next_for_agent("ana", T0 + 70)
    assert taken is not None and taken.task == "CA-2"


def test_abandoning_a_task_that_was_assigned_changes_nothing(store: QueueStore,
                                                             staff: Staff) -> None:
    staff("ana", "L1", [], T0)
    store.arrive("CA-1", "billing", "L1", [], "normal", T0)
    assert not store.abandon("CA-1")
    assignment = store.assignment("CA-1")
    assert assignment is not None and assignment.agent == "ana" and not assignment.ended


def _race(redis_url: str, worker: int, rounds: int) -> None:
    client = redis.Redis.from_url(redis_url)
    store = QueueStore(client)
    for n in range(rounds):
        store.arrive(f"CA-{worker}-{n}", "billing", "L1", ["billing"], "normal", T0 + n,
                     now=T0 + n)
        agent = f"agent-{(worker * rounds + n) % 6}"
        current = client.hget(f"hotline:agent:{agent}", "call")
        if current:
            store.finish(agent, text(current), T0 + n)
        else:
            store.set_status(agent, "available", T0 + n)
        store.next_for_agent(agent, T0 + n)
    client.close()


def test_racing_processes_never_double_book_a_caller_or_an_agent(
    redis_url: str, redis_client: redis.Redis
) -> None:
    for a in range(6):
        put_on_shift(redis_client, f"agent-{a}", "L1", ["billing"], T0 - 10)
        QueueStore(redis_client).set_status(f"agent-{a}", "offline", T0 - 10)
    processes = [multiprocessing.get_context("fork").Process(target=_race,
                                                             args=(redis_url, w, 150))
                 for w in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        assert process.exitcode == 0
    calls, problems = QueueStore(redis_client).audit()
    assert calls and problems == []  # no task given twice, no agent holding two
    assert len(calls) + QueueStore(redis_client).waiting("billing:L1:billing") == 600


def test_claiming_an_agent_reserves_the_best_eligible_one_until_the_task_is_finished(
    store: QueueStore, staff: Staff
) -> None:
    staff("ana", "L1", ["billing"], T0 - 500)
    staff("bo", "L2", ["billing", "refunds"], T0 - 100)
    assert store.claim_agent("cb:1", "L2", ["refunds"]) == "bo"
    assert store.claim_agent("cb:2", "L2", ["refunds"]) is None  # bo is reserved for cb:1
    assert store.arrive("CA-1", "billing", "L1", ["billing"], "normal", T0).agent == "ana"
    assert store.finish("bo", "cb:1", T0 + 60)
    assert store.claim_agent("cb:2", "L1", ["billing"], preferred_agent="bo") == "bo"
    assert not store.release("bo", "cb:1", T0 + 70)  # cb:1 is over: bo now holds cb:2
    assert store.release("bo", "cb:2", T0 + 90)
    assert store.claim_agent("cb:3", "L2", ["refunds"]) == "bo"


def test_a_reserved_agent_is_handed_the_answered_call_of_their_callback(
    store: QueueStore, staff: Staff
) -> None:
    staff("bo", "L2", ["refunds"], T0)
    assert store.claim_agent("cb:7", "L2", ["refunds"], now=T0) == "bo"
    number = store.hand_over("bo", "cb:7", "CA-answered", T0 + 20)
    assert number is not None
    assert store.hand_over("bo", "cb:7", "CA-other", T0 + 21) is None
    held = store.assignment("CA-answered")
    assert held is not None and held.agent == "bo" and held.number == number
    assert store.finish("bo", "CA-answered", T0 + 300)


def test_the_audit_finds_a_task_given_twice_and_an_agent_double_booked(
    store: QueueStore, redis_client: redis.Redis
) -> None:
    redis_client.rpush(ASSIGNMENTS, "ana CA-1", "bo CA-1", "ana CA-2", "bo CA-9 done")
    given, problems = store.audit()
    assert given == {"CA-1", "CA-2"}
    assert problems == ["CA-1 was given twice", "ana got CA-2 while on CA-1",
                        "bo released CA-9 without holding it"]
