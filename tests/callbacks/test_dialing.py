"""Dialling callbacks through Twilio's REST API (Prism serving Twilio's own description):
agent first, the virtual queue, answered by a person or a machine, retries inside the
caller's hours, the final failure with a follow-up task, and the agent never left reserved."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from callbacks import dialer, outcomes
from callbacks.record import Callback, State
from callbacks.store import CallbackStore
from callbacks.sweep import sweep
from callbacks.transcript import callback_event
from core import keys
from core.clock import FixedClock
from core.redis_values import text
from core.routing import CallbackLeg
from queues.dispatch import Dispatcher
from queues.queue_store import QueueStore
from tests.callbacks.support import (
    NOW,
    available,
    make_runtime,
    open_call,
    sent,
    transcript,
    wanted,
)

T = NOW.timestamp()
HOLDING = "CA" + "1" * 32


def promised(rt_store: CallbackStore, **changes: object) -> Callback:
    record = wanted(**changes)  # type: ignore[arg-type]
    return rt_store.request(record, callback_event(NOW, record, "Callback promised")).callback


def agent_status(client: redis.Redis, agent: str) -> str:
    return text(client.hget(f"hotline:agent:{agent}", "status") or b"")


def test_agent_first_reserves_an_agent_then_calls_the_customer_once(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    rt, _ = make_runtime(redis_client, twilio_api)
    open_call(rt.sessions)
    available(redis_client, "ann", "L2", ["billing"], T - 60)
    promised(rt.store)
    assert dialer.due(rt, "cb1").startswith("placed CA")
    record = rt.store.get("cb1")
    assert record is not None and record.state is State.DIALING and record.agent == "ann"
    assert agent_status(redis_client, "ann") == "busy"
    [call] = sent(rt)
    assert call.status == 201 and call.form["To"] == "+12125550123"
    assert call.form["MachineDetection"] == "Enable"
    assert call.form["Url"] == f"https://hotline.example/callbacks/answer?attempt={record.attempt}"
    assert dialer.due(rt, "cb1") == "nothing to do"  # a second run of the job dials nobody
    assert len(sent(rt)) == 1


def test_a_person_answering_is_bridged_and_the_ticket_shows_every_step(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    rt, _ = make_runtime(redis_client, twilio_api)
    open_call(rt.sessions)
    available(redis_client, "ann", "L1", ["billing"], T - 60)
    promised(rt.store)
    dialer.due(rt, "cb1")
    record = rt.store.get("cb1")
    assert record is not None
    outcomes.status(rt, record.attempt, "CAcustomer", "ringing")
    picked = outcomes.answered(rt, record.attempt, "CAcustomer", "human")
    assert picked.action == "connect" and picked.record is not None
    assert picked.record.agent == "ann"
    session = rt.sessions.load("CAcustomer")
    assert session is not None and session.routing is not None
    assert session.routing.callback == CallbackLeg("cb1", "CAorigin")
    assert session.routing.queue == "billing" and session.language == "en"
    outcomes.status(rt, record.attempt, "CAcustomer", "completed")
    done = rt.store.get("cb1")
    assert done is not None and done.state is State.COMPLETED and done.attempts == 1
    assert transcript(rt.sessions) == [
        "Callback promised",
        "Callback attempt 1: dialling +12125550123 for agent ann",
        "Callback attempt 1 placed to +12125550123",
        "Callback ringing",
        "Callback answered by a person; connecting to agent ann",
        "Callback call ended",
    ]


def test_with_no_agent_free_the_callback_waits_in_line_until_the_queues_side_calls(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    rt, _ = make_runtime(redis_client, twilio_api)
    queues = QueueStore(redis_client)
    queues.arrive(HOLDING, "billing", "L1", ["billing"], "normal", T - 600)
    promised(rt.store)  # the caller arrived 300 s ago: behind the one holding for 600 s
    assert dialer.due(rt, "cb1") == "waiting for an agent"
    assert sent(rt) == []
    enqueued: list[tuple[str, str, str]] = []
    dispatcher = Dispatcher(queues, rt.telephony, lambda a: f"https://hotline.example/queues/connect?agent={a}",
                            lambda job, *args: enqueued.append((job, *args)))
    available(redis_client, "bob", "L1", ["billing"], T)
    first = dispatcher.agent_free("bob", T)
    assert first is not None and first.task == HOLDING  # never ahead of a longer wait
    available(redis_client, "cy", "L1", ["billing"], T)
    dispatcher.agent_free("cy", T)
    assert enqueued == [("callbacks.jobs.agent_ready", "cb1", "cy")]
    assert dialer.agent_ready(rt, "cb1", "cy").startswith("placed")
    record = rt.store.get("cb1")
    assert record is not None and record.agent == "cy"
    created = [r for r in sent(rt) if r.path.endswith("/Calls.json")]
    assert len(created) == 1 and created[0].form["To"] == record.phone


def test_a_machine_gets_a_voicemail_and_a_retry_and_the_agent_is_freed(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    rt, scheduled = make_runtime(redis_client, twilio_api)
    available(redis_client, "ann", "L1", ["billing"], T - 60)
    promised(rt.store)
    dialer.due(rt, "cb1")
    record = rt.store.get("cb1")
    assert record is not None
    assert outcomes.answered(rt, record.attempt, "CAx", "machine_end_beep").action == \
        "voicemail"
    retry = rt.store.get("cb1")
    assert retry is not None and retry.state is State.RETRY_WAIT
    assert retry.next_try == T + 120
    assert scheduled.items[-1] == ("cb1", datetime.fromtimestamp(T + 120, UTC))
    assert agent_status(redis_client, "ann") == "available"


def test_retries_run_out_into_a_failure_with_a_follow_up_task(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    clock = FixedClock(NOW)
    rt, _ = make_runtime(redis_client, twilio_api, clock=clock, max_attempts=2)
    open_call(rt.sessions)
    promised(rt.store)
    available(redis_client, "ann", "L1", ["billing"], T - 60)
    for result in ("busy", "no-answer"):
        dialer.due(rt, "cb1")
        record = rt.store.get("cb1")
        assert record is not None and record.state is State.DIALING
        outcomes.status(rt, record.attempt, "CAx", result)
        clock.set(clock.now() + timedelta(minutes=5))
    failed = rt.store.get("cb1")
    assert failed is not None and failed.state is State.FAILED and failed.attempts == 2
    log = transcript(rt.sessions)
    assert "Callback attempt 1: busy; next try at 2026-11-24T15:02:00.000Z" in log
    assert log[-2:] == ["Callback failed after 2 attempts: no answer",
                        "Follow-up: call +12125550123 about billing/dispute; the promised "
                        "callback failed after 2 attempts"]
    assert agent_status(redis_client, "ann") == "available"


def test_nobody_is_called_at_night_in_their_own_zone(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    night = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 10 pm in New York
    rt, scheduled = make_runtime(redis_client, twilio_api, clock=FixedClock(night))
    available(redis_client, "ann", "L1", ["billing"], T)
    promised(rt.store)
    assert dialer.due(rt, "cb1") == "moved into allowed hours"
    assert sent(rt) == [] and agent_status(redis_client, "ann") == "available"
    assert scheduled.items == [("cb1", datetime(2026, 11, 25, 13, 0, tzinfo=UTC))]


def test_a_request_twilio_refuses_is_an_attempt_that_failed(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    # Twilio's description refuses an account SID of the wrong shape (422).
    rt, _ = make_runtime(redis_client, twilio_api, account_sid="ACnot-a-valid-sid")
    available(redis_client, "ann", "L1", ["billing"], T)
    promised(rt.store)
    assert dialer.due(rt, "cb1") == "attempt failed"
    record = rt.store.get("cb1")
    assert record is not None and record.state is State.RETRY_WAIT
    assert record.last_result.startswith("could not be placed")
    assert agent_status(redis_client, "ann") == "available"


def test_racing_jobs_for_one_callback_place_one_call(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    rt, _ = make_runtime(redis_client, twilio_api)
    for n in range(4):
        available(redis_client, f"agent{n}", "L1", ["billing"], T + n)
    promised(rt.store)
    # Every job holds the same record when it writes: each waits for the others before its
    # first write, so the race is run, not left to the scheduler's luck.
    all_read = threading.Barrier(4, timeout=20)
    move, waited = rt.store.move, set()

    def move_once_all_have_read(*args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            all_read.wait()
        return move(*args, **kwargs)

    rt.store.move = move_once_all_have_read  # type: ignore[method-assign]
    failed: list[BaseException] = []

    def job() -> None:
        try:
            dialer.due(rt, "cb1")
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    threads = [threading.Thread(target=job) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    assert len(sent(rt)) == 1
    busy = [n for n in range(4) if agent_status(redis_client, f"agent{n}") == "busy"]
    assert len(busy) == 1  # the losers gave their agents back


def test_an_attempt_that_never_went_out_goes_back_to_its_place_without_counting(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    clock = FixedClock(NOW)
    rt, scheduled = make_runtime(redis_client, twilio_api, clock=clock)
    available(redis_client, "ann", "L1", ["billing"], T)
    record = promised(rt.store)
    # A worker took the attempt and the agent, then died before its REST call.
    started = rt.change("cb1", lambda r: dialer._start_attempt(r, "ann", T + 90))
    assert started is not None and started.attempts == 1
    clock.set(NOW + timedelta(seconds=91))
    swept = sweep(rt)
    assert swept.recovered == 1
    back = rt.store.get("cb1")
    assert back is not None and back.state is State.SCHEDULED and back.attempts == 0
    assert back.arrived_at == record.arrived_at
    assert agent_status(redis_client, "ann") == "available"
    assert scheduled.items[-1][0] == "cb1" and sent(rt) == []


def test_the_menu_trees_callback_hours_apply_when_dialling(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    redis_client.set(keys.menu("tree1"), "name: x\ncallbacks: {dial_hours: '11:00-12:00'}\n")
    rt, scheduled = make_runtime(redis_client, twilio_api)  # 10 in the morning in New York
    available(redis_client, "ann", "L1", ["billing"], T)
    promised(rt.store, menu_version="tree1")
    assert dialer.due(rt, "cb1") == "moved into allowed hours"
    assert scheduled.items == [("cb1", datetime(2026, 11, 24, 16, 0, tzinfo=UTC))]
    assert sent(rt) == [] and agent_status(redis_client, "ann") == "available"


def test_a_lost_agent_ready_job_is_made_good_by_the_sweep(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    clock = FixedClock(NOW)
    rt, scheduled = make_runtime(redis_client, twilio_api, clock=clock)
    promised(rt.store)
    assert dialer.due(rt, "cb1") == "waiting for an agent"
    clock.set(NOW + timedelta(seconds=3 * 90 + 1))
    sweep(rt)
    assert dialer.due(rt, "cb1") == "still waiting for an agent"  # looked at, nothing said
    waiting = [e for e in rt.store.log("cb1") if e["text"].startswith("Callback waiting")]
    assert len(waiting) == 1
    available(redis_client, "cy", "L1", ["billing"], T)
    given = QueueStore(redis_client).next_for_agent("cy", T)
    assert given is not None and given.task == "cb:cb1"  # ...and its agent_ready job is lost
    clock.set(NOW + timedelta(seconds=7 * 90))
    sweep(rt)
    assert scheduled.items[-1][0] == "cb1"
    assert dialer.due(rt, "cb1").startswith("placed")
    record = rt.store.get("cb1")
    assert record is not None and record.agent == "cy" and record.state is State.DIALING


def test_one_attempt_is_placed_once_even_if_its_placing_runs_twice(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    # A job run twice, or a sweep racing a slow worker, may reach the REST call with the same
    # started attempt: the attempt's guard lets exactly one of them through.
    rt, _ = make_runtime(redis_client, twilio_api)
    available(redis_client, "ann", "L1", ["billing"], T)
    promised(rt.store)
    started = rt.change("cb1", lambda r: dialer._start_attempt(r, "ann", T + 90))
    assert started is not None
    assert dialer._place(rt, started).startswith("placed")
    assert dialer._place(rt, started) == "not dialled: attempt already placed"
    assert len(sent(rt)) == 1
