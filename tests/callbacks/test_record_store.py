"""Callback records: the state machine, one callback per number and issue (also when two
processes ask at once), and every change on the original call's transcript."""

from __future__ import annotations

import multiprocessing

import pytest
import redis

from callbacks.record import Mode, State
from callbacks.runtime import Move
from callbacks.store import CallbackStore, InvalidMove
from callbacks.transcript import callback_event
from tests.callbacks.support import NOW, make_runtime, open_call, transcript, wanted


def test_a_second_request_for_the_same_number_and_issue_updates_the_first(
    redis_client: redis.Redis,
) -> None:
    store = CallbackStore(redis_client)
    first = store.request(wanted("cb1"), callback_event(NOW, wanted(), "promised"))
    later_slot = NOW.timestamp() + 86400
    second = store.request(wanted("cb2", Mode.SLOT, later_slot, arrived_at=NOW.timestamp()),
                           callback_event(NOW, wanted(), "promised again"))
    assert first.created and not second.created
    assert second.callback.id == "cb1"
    assert second.callback.mode is Mode.SLOT and second.callback.due_at == later_slot
    # The update never costs the caller their earlier place in line.
    assert second.callback.arrived_at == first.callback.arrived_at
    assert [c.id for c in store.for_phone(wanted().phone)] == ["cb1"]
    other_issue = store.request(wanted("cb3", issue="technical/internet"),
                                callback_event(NOW, wanted(), "promised"))
    assert other_issue.created


def _request_many(redis_url: str, worker: int, results: multiprocessing.Queue[str]) -> None:
    client = redis.Redis.from_url(redis_url)
    store = CallbackStore(client)
    for n in range(50):
        record = wanted(f"w{worker}-{n}", phone=f"+1212555{n:04d}")
        results.put(store.request(record, callback_event(NOW, record, "promised")).callback.id)
    client.close()


def test_two_processes_asking_at_once_get_one_callback_per_number(redis_url: str) -> None:
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[str] = context.Queue()
    workers = [context.Process(target=_request_many, args=(redis_url, w, results))
               for w in range(2)]
    for process in workers:
        process.start()
    ids = [results.get(timeout=30) for _ in range(100)]
    for process in workers:
        process.join(timeout=30)
    assert len(set(ids)) == 50  # both processes were told the same callback per number
    client = redis.Redis.from_url(redis_url)
    store = CallbackStore(client)
    for n in range(50):
        owed = store.for_phone(f"+1212555{n:04d}")
        assert len(owed) == 1, owed
    client.close()


def test_moves_outside_the_state_machine_are_refused(redis_client: redis.Redis) -> None:
    rt, _ = make_runtime(redis_client)
    record = rt.store.request(wanted(), callback_event(NOW, wanted(), "promised")).callback
    with pytest.raises(InvalidMove):
        rt.store.move(record, State.COMPLETED, [callback_event(NOW, record, "done")])


def test_a_stale_change_loses_to_a_newer_one(redis_client: redis.Redis) -> None:
    rt, _ = make_runtime(redis_client)
    record = rt.store.request(wanted(), callback_event(NOW, wanted(), "promised")).callback
    first = rt.store.move(record, State.DIALING, [callback_event(NOW, record, "a")],
                          attempt="cb1-2")
    second = rt.store.move(record, State.CANCELLED, [callback_event(NOW, record, "b")])
    assert first is not None and second is None
    current = rt.store.get("cb1")
    assert current is not None and current.state is State.DIALING


def test_every_change_reaches_the_original_calls_transcript(redis_client: redis.Redis) -> None:
    rt, _ = make_runtime(redis_client)
    open_call(rt.sessions)
    rt.store.request(wanted(), callback_event(NOW, wanted(), "Callback promised"))
    rt.change("cb1", lambda r: Move(State.CANCELLED, "Callback cancelled by the test"))
    from callbacks.transcript import copy_to_call

    record = rt.store.get("cb1")
    assert record is not None
    copy_to_call(rt.store, rt.sessions, record)
    copy_to_call(rt.store, rt.sessions, record)  # copying again adds nothing twice
    assert transcript(rt.sessions) == ["Callback promised", "Callback cancelled by the test"]
    assert rt.store.pending_for_phone(record.phone) == []
