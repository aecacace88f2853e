"""Real `hotline worker` processes SIGKILLed again and again while they dial callbacks: no
callback is lost, and no attempt calls the customer twice.

Without Twilio credentials the workers place calls through the simulator (a Redis list); this
test plays Twilio for those calls: it reports each one initiated, answered by a person, and
completed, to the status and answer webhooks, as Twilio would.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import redis
from flask import Flask
from rq import Queue

from callbacks.jobs import QUEUE
from callbacks.record import State
from callbacks.store import CallbackStore
from callbacks.transcript import callback_event
from core import keys
from core.clock import SystemClock
from tests.callbacks.support import available, wanted
from tests.ivr_app import make_app
from tests.processes import HOTLINE, wait_for
from tests.twilio_requests import PUBLIC_URL, TwilioCall

CALLBACKS = 40
KILLS = 8


def start_worker(redis_url: str, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TWILIO_", "HOTLINE_", "REDIS_URL"))}
    env.update(REDIS_URL=redis_url, HOTLINE_DATA_DIR=str(data_dir),
               HOTLINE_PUBLIC_URL=PUBLIC_URL, HOTLINE_CALLBACK_LEASE="3",
               HOTLINE_CALLBACK_SWEEP_EVERY="1", HOTLINE_CALLBACK_CPS="5",
               HOTLINE_CALLBACK_DIAL_HOURS="00:00-23:59:59", HOTLINE_CALLBACK_DAYS="mon-sun",
               HOTLINE_CALLBACK_HOLIDAYS="none")
    with (data_dir / "workers.log").open("ab") as log:
        return subprocess.Popen([HOTLINE, "worker"], env=env,
                                stdout=log, stderr=subprocess.STDOUT)


def kill_with_work_horse(pid: int) -> None:
    """SIGKILL a worker and the work horse running its job (RQ puts the horse in a process
    group of its own), wherever they are in the job."""
    horses = [int(child) for child in
              Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for victim in (*horses, pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


def play_twilio(app: Flask, client: redis.Redis, stop: threading.Event,
                placed: list[dict[str, str]]) -> None:
    """Answer every simulated outbound call as Twilio would, person on the line."""
    while not stop.is_set():
        raw = client.lpop(keys.simulated_calls())
        if raw is None:
            time.sleep(0.02)
            continue
        assert isinstance(raw, bytes)
        call = json.loads(raw)
        placed.append(call)
        attempt = parse_qs(urlsplit(call["url"]).query)["attempt"][0]
        phone = TwilioCall(app.test_client(), caller=call["to"])
        phone.sid = call["call_sid"]
        status = f"/callbacks/status?attempt={attempt}"
        phone.post(status, phone.form(CallStatus="initiated"))
        phone.post(f"/callbacks/answer?attempt={attempt}", phone.form(AnsweredBy="human"))
        phone.post(status, phone.form(CallStatus="completed", CallDuration="60"))


def test_workers_killed_mid_run_neither_lose_a_callback_nor_call_twice(
    redis_url: str, redis_client: redis.Redis, tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    app = make_app(redis_url, clock=SystemClock())  # type: ignore[arg-type]
    store, rq_queue = CallbackStore(redis_client), Queue(QUEUE, connection=redis_client)
    for n in range(CALLBACKS):
        available(redis_client, f"agent{n}", "L1", ["billing"], now.timestamp() - n)
        record = wanted(f"cb{n}", phone=f"+1212555{n:04d}", created_at=now.timestamp(),
                        due_at=now.timestamp(), timezone="UTC")
        store.request(record, callback_event(now, record, "Callback promised"))
        rq_queue.enqueue("callbacks.jobs.dial_due", record.id)

    stop, placed = threading.Event(), list[dict[str, Any]]()
    twilio = threading.Thread(target=play_twilio, args=(app, redis_client, stop, placed))
    twilio.start()
    workers = [start_worker(redis_url, tmp_path) for _ in range(2)]
    rng = random.Random(5)
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.8, 1.6))
            victim = workers.pop(rng.randrange(len(workers)))
            kill_with_work_horse(victim.pid)
            victim.wait()
            workers.append(start_worker(redis_url, tmp_path))

        def all_done() -> bool:
            states = [store.get(f"cb{n}") for n in range(CALLBACKS)]
            return all(r is not None and r.state is State.COMPLETED for r in states)

        wait_for(all_done, "every callback to be completed despite the kills")
    finally:
        stop.set()
        twilio.join()
        for worker in workers:
            kill_with_work_horse(worker.pid)
            worker.wait()

    attempts = Counter(parse_qs(urlsplit(c["url"]).query)["attempt"][0] for c in placed)
    assert attempts and max(attempts.values()) == 1, attempts.most_common(3)
    for n in range(CALLBACKS):
        done = store.get(f"cb{n}")
        assert done is not None and done.state is State.COMPLETED
        connected = [e for e in store.log(f"cb{n}") if e["text"].startswith("Callback answered")]
        assert len(connected) == 1
