"""Done when: a simulated caller leaves a voicemail (real espeak-ng speech at 8 kHz, served by
the Twilio mock) and the ticket shows the processed recording, its duration and its
transcription, with a real RQ worker doing the work."""

from __future__ import annotations

import pytest
import redis
from flask import Flask
from rq import Queue, SimpleWorker

from core.caller_record import open_ticket
from core.clock import FixedClock
from core.settings import Settings
from recordings import jobs
from simulator.caller import CallSimulator
from simulator.inputs import Press, Say
from simulator.transports import FlaskTransport
from tests.ivr_app import ADMIN_TOKEN
from tests.recordings.speech import voicemail
from tests.tickets.test_projection import drain
from tests.twilio_media import MediaMock
from tests.twilio_requests import AUTH_TOKEN, PUBLIC_URL
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector

WORDS = "please call me back about my bill"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_a_simulated_voicemail_reaches_the_ticket_processed_timed_and_transcribed(
        app: Flask, media: MediaMock, settings: Settings, redis_url: str,
        redis_client: redis.Redis, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    media.audio["*"] = voicemail(WORDS)
    shown: list[str] = []
    transport = FlaskTransport(app.test_client(), PUBLIC_URL)
    call = CallSimulator(transport, PUBLIC_URL, AUTH_TOKEN, out=shown.append,
                         inputs=[Press("1"), Press("1"), Press("2"), Say(WORDS)]).run()
    assert "[Twilio: the recording is ready]" in shown

    assert work(monkeypatch, settings, media, redis_url, redis_client) == [
        "processed", "transcribed (grammar)"]

    d = app.extensions["hotline"]
    projector = Projector(d.redis, app.extensions[EXTENSION], d.sessions, clock)
    projector.ensure_group()
    drain(projector)
    ticket_id = app.extensions[EXTENSION].ticket_id_for_call(call.call_sid)
    ticket = app.test_client().get(f"/api/v1/tickets/{ticket_id}", headers=AUTH).get_json()
    [recording] = ticket["recordings"]
    assert recording["status"] == "processed"
    assert 1.5 < recording["duration"] < 3.5
    assert set(recording["files"]) == {"wav", "mp3"}
    assert recording["transcription"]["text"] == WORDS
    assert recording["transcription"]["confidence"] == "high"
    kinds = [e["kind"] for e in ticket["transcript"]]
    assert kinds.count("recording") == 2 and kinds[-1] == "transcription"
    # What the agent's whisper and screen-pop read about this caller's open ticket.
    record = open_ticket(redis_client, "+14155550123", "billing/other")
    assert record is not None and record["story"][-1]["said"] == WORDS


def test_a_corrupt_recording_never_fails_the_worker_s_job(
        app: Flask, media: MediaMock, settings: Settings, redis_url: str,
        redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> None:
    media.audio["*"] = b"RIFF\x24\x00\x00\x00WAVEfmt garbage"
    transport = FlaskTransport(app.test_client(), PUBLIC_URL)
    CallSimulator(transport, PUBLIC_URL, AUTH_TOKEN, out=lambda _: None,
                  inputs=[Press("1"), Press("1"), Press("2"), Say(WORDS)]).run()
    [result] = work(monkeypatch, settings, media, redis_url, redis_client)
    assert result.startswith("retrying: not audio")
    assert Queue(jobs.QUEUE, connection=redis_client).failed_job_registry.count == 0


def work(monkeypatch: pytest.MonkeyPatch, settings: Settings, media: MediaMock, redis_url: str,
         client: redis.Redis) -> list[str]:
    """Run a real RQ worker over the recordings' queue until it is empty; the results of the
    jobs it finished."""
    # The worker reads its settings from the environment, as `hotline worker` passes them.
    for name, value in {"REDIS_URL": redis_url, "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
                        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_API_BASE_URL": media.url,
                        "HOTLINE_DATA_DIR": str(settings.data_dir)}.items():
        monkeypatch.setenv(name, value)
    queue = Queue(jobs.QUEUE, connection=client)
    assert SimpleWorker([queue], connection=client).work(burst=True)
    done = [queue.fetch_job(i) for i in queue.finished_job_registry.get_job_ids()]
    return sorted(str(j.return_value()) for j in done if j is not None)
