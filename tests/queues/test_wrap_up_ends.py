"""An agent's wrap-up ends on its own: the job scheduled when their call ended makes them
available again, on a clock that moves between two readings as a real one does."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
import redis
from rq import Queue
from rq.job import Job

from core.deps import EXTENSION
from core.telephony import SimulatedTelephony
from queues.context import JOBS_QUEUE
from tests.ivr_app import ADMIN_TOKEN, NOW, make_app
from tests.queues.test_hold_and_connect import billing_caller, path
from tests.twilio_requests import TwilioCall

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


class TickingClock:
    """Half a millisecond later at every reading, as the wall clock is between two."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        self._at += timedelta(microseconds=500)
        return self._at


def _talk_and_hang_up(call: TwilioCall) -> None:
    dial = call.post("/queues/enter", call.form()).xml.find("Dial")
    assert dial is not None and dial.findtext("Client") == "ana"
    call.post(path(dial.get("action")), call.form(DialCallStatus="completed",
                                                    DialCallDuration="60"))


@pytest.mark.parametrize("ended_by", ["hang-up", "escalation"])
def test_the_wrap_up_job_makes_the_agent_available_again(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, ended_by: str
) -> None:
    app = make_app(redis_url, clock=TickingClock(NOW))  # type: ignore[arg-type]
    d = app.extensions[EXTENSION]  # REST calls to Twilio go to the simulated network
    app.extensions[EXTENSION] = dataclasses.replace(d, telephony=SimulatedTelephony(d.redis))
    web = app.test_client()
    web.put("/api/v1/agents/ana", headers=AUTH, json={
        "name": "Ana", "reach": "client:ana", "tier": "L1", "skills": ["billing"],
        "wrap_up_seconds": 30})
    web.post("/api/v1/agents/ana/status", headers=AUTH, json={"status": "available"})
    call = billing_caller(app)
    if ended_by == "hang-up":
        _talk_and_hang_up(call)
    else:
        assert call.post("/queues/enter", call.form()).xml.find("Dial") is not None
        moved = web.post(f"/api/v1/calls/{call.sid}/escalate", headers=AUTH,
                         json={"tier": "L2"})
        assert moved.status_code == 200, moved.get_json()
    assert web.get("/api/v1/agents/ana", headers=AUTH).get_json()["status"] == "wrap-up"

    connection = redis.Redis.from_url(redis_url)
    [job_id] = Queue(JOBS_QUEUE, connection=connection).scheduled_job_registry.get_job_ids()
    monkeypatch.setenv("REDIS_URL", redis_url)  # the worker hands jobs its Redis so
    Job.fetch(job_id, connection=connection).perform()
    assert web.get("/api/v1/agents/ana", headers=AUTH).get_json()["status"] == "available"
