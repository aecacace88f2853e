"""A `hotline worker` SIGKILLed (with its work horse) in the middle of a callback's REST call
to Twilio: once a new worker runs, the customer's call is created exactly once and the
attempt the dead worker started costs the customer nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import redis
from rq import Queue

from callbacks.jobs import QUEUE
from callbacks.record import State
from callbacks.store import CallbackStore
from callbacks.transcript import callback_event
from tests.callbacks.support import available, wanted
from tests.callbacks.test_kill import kill_with_work_horse
from tests.faults import services
from tests.faults.standins import STALL, HttpFront
from tests.faults.test_twilio_failures import twilio_worker
from tests.processes import wait_for

PHONE = "+12125550777"


def test_a_worker_killed_while_dialling_leaves_one_call_and_no_spent_attempt(
    redis_url: str, redis_client: redis.Redis, twilio_api: str, tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    store = CallbackStore(redis_client)
    available(redis_client, "ana", "L1", ["billing"], now.timestamp())
    record = wanted("cb1", phone=PHONE, created_at=now.timestamp(), due_at=now.timestamp(),
                    timezone="UTC")
    store.request(record, callback_event(now, record, "Callback promised"))
    front = HttpFront(twilio_api, [STALL], stall_seconds=60)
    first = twilio_worker(redis_url, front.url, tmp_path / "first")
    workers = [first]
    try:
        Queue(QUEUE, connection=redis_client).enqueue("callbacks.jobs.dial_due", "cb1")
        wait_for(lambda: len(front.seen) == 1, "the worker to be in its REST call to Twilio")
        kill_with_work_horse(first.pid)
        first.wait()
        workers.append(twilio_worker(redis_url, front.url, tmp_path / "second"))

        def placed() -> bool:
            found = store.get("cb1")
            return found is not None and bool(found.customer_call)

        wait_for(placed, "the callback to be placed once the new worker's sweep ran")
    finally:
        services.stop(*workers[1:])
        front.close()

    assert front.passed("POST", "/Calls.json") == 1
    assert [form.get("To") for _, _, form, answer in front.seen if answer == "passed"] == [PHONE]
    done = store.get("cb1")
    assert done is not None and done.state is State.DIALING and done.attempts == 1
    log = [entry["text"] for entry in store.log("cb1")]
    assert sum("never went out" in text for text in log) == 1, log
