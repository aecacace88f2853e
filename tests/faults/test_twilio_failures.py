"""Twilio's REST API answering 429 (too many requests), 5xx, or nothing at all while a real
`hotline worker` dials callbacks: no attempt of the customer is spent on Twilio's trouble, no
callback is lost, and each customer's call is created exactly once.

Twilio is Prism serving Twilio's own description, behind a loopback front that answers the
scripted failures first (tests/faults/standins.py)."""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import redis
from rq import Queue

from callbacks.jobs import QUEUE
from callbacks.record import State
from callbacks.store import CallbackStore
from callbacks.transcript import callback_event
from tests.callbacks.support import available, wanted
from tests.faults import services
from tests.faults.standins import STALL, HttpFront
from tests.processes import wait_for
from tests.twilio_rest import ACCOUNT_SID

FAILURES: list[int | str] = [429, 500, 503, STALL]
LEASE = 12
"""Seconds an attempt holds its callback: longer than the REST client's 10 s timeout, as in
production (90 s), so a stalled request has given up before the sweep looks at it."""


def twilio_worker(redis_url: str, twilio: str, data_dir: Path) -> subprocess.Popen[bytes]:
    """A `hotline worker` reaching Twilio at `twilio`, with a short lease and sweep."""
    return services.start(
        "worker", redis_url, data_dir, TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN="a-real-looking-token", TWILIO_API_BASE_URL=twilio,
        HOTLINE_PUBLIC_URL="https://hotline.example", HOTLINE_CALLBACK_LEASE=str(LEASE),
        HOTLINE_CALLBACK_SWEEP_EVERY="1", HOTLINE_CALLBACK_CPS="20",
        HOTLINE_CALLBACK_DIAL_HOURS="00:00-23:59:59", HOTLINE_CALLBACK_DAYS="mon-sun",
        HOTLINE_CALLBACK_HOLIDAYS="none")


def test_twilio_refusing_failing_and_stalling_costs_no_attempt_and_calls_once(
    redis_url: str, redis_client: redis.Redis, twilio_api: str, tmp_path: Path,
) -> None:
    now = datetime.now(UTC).timestamp()
    store, queue = CallbackStore(redis_client), Queue(QUEUE, connection=redis_client)
    phones = [f"+1212555{n:04d}" for n in range(len(FAILURES) + 1)]
    for n, phone in enumerate(phones):
        available(redis_client, f"agent{n}", "L1", ["billing"], now - n)
        record = wanted(f"cb{n}", phone=phone, created_at=now, due_at=now, timezone="UTC")
        store.request(record, callback_event(datetime.now(UTC), record, "Callback promised"))
    front = HttpFront(twilio_api, FAILURES, stall_seconds=12)
    worker = twilio_worker(redis_url, front.url, tmp_path / "var")
    try:
        for n in range(len(phones)):
            queue.enqueue("callbacks.jobs.dial_due", f"cb{n}")

        def all_placed() -> bool:
            records = [store.get(f"cb{n}") for n in range(len(phones))]
            return all(r is not None and r.customer_call for r in records)

        wait_for(lambda: len(front.seen) >= len(FAILURES), "Twilio to be asked and fail")
        wait_for(all_placed, "every callback's call to be placed despite Twilio's failures")
    finally:
        services.stop(worker)
        front.close()

    creates = [form.get("To") for method, path, form, answer in front.seen
               if method == "POST" and path.endswith("/Calls.json") and answer == "passed"]
    assert Counter(creates) == Counter(phones), front.seen
    answers = [answer for *_, answer in front.seen]
    assert answers[:len(FAILURES)] == FAILURES
    for n in range(len(phones)):
        placed = store.get(f"cb{n}")
        assert placed is not None and placed.state is State.DIALING
        assert placed.attempts == 1, (placed.id, placed.attempts, store.log(placed.id))
