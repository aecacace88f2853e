"""Twilio says a recording is ready: a job fetches it from Twilio (the mock) with the
account's credentials, keeps it cleaned with a checksum, and the call's log (so its ticket)
shows it processed, with its duration and transcription; a broken download is retried and
then shown as failed, and a forged URL is never fetched."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import redis
from flask import Flask
from rq import Queue
from rq.registry import ScheduledJobRegistry

from core.settings import Settings
from recordings import jobs, processing
from recordings.processing import MAX_ATTEMPTS, Runtime
from tests.ivr_app import call_events
from tests.recordings.speech import voicemail
from tests.twilio_media import MediaMock, Served
from tests.twilio_requests import PUBLIC_URL, TwilioCall
from tests.twilio_rest import ACCOUNT_SID

SID = "RE" + "5" * 32


def leave_voicemail(app: Flask, sid: str = SID) -> TwilioCall:
    """Walk the test menu to its voicemail and hang up after the tone, as Twilio reports it."""
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")  # English
    call.press("1")  # billing
    record = call.press("2").xml.find("Record")
    assert record is not None
    assert record.get("recordingStatusCallback") == f"{PUBLIC_URL}/recordings/status"
    call.post((record.get("action") or "").removeprefix(PUBLIC_URL), call.form(
        RecordingSid=sid, RecordingDuration="9",
        RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}"))
    return call


def ready(call: TwilioCall, sid: str = SID, status: str = "completed", **extra: str) -> int:
    form = call.form(RecordingSid=sid, RecordingStatus=status, **extra)
    return call.post("/recordings/status", form).status


def queued(client: redis.Redis) -> list[tuple[str | None, tuple[Any, ...]]]:
    return [(j.func_name, tuple(j.args)) for j in Queue(jobs.QUEUE, connection=client).get_jobs()]


def recording_entries(app: Flask, call: TwilioCall) -> list[dict[str, Any]]:
    return [e for e in call_events(app, call.sid) if e["kind"] in ("recording", "transcription")]


def test_a_ready_recording_is_processed_once_however_often_twilio_says_so(
        app: Flask, redis_client: redis.Redis) -> None:
    call = leave_voicemail(app)
    assert ready(call) == 200
    assert ready(call) == 200  # Twilio retrying its callback
    assert queued(redis_client) == [("recordings.jobs.process_recording", (call.sid, SID))]


def test_an_unsigned_status_callback_is_refused(app: Flask, redis_client: redis.Redis) -> None:
    call = leave_voicemail(app)
    assert call.post("/recordings/status", call.form(RecordingSid=SID,
                     RecordingStatus="completed"), signature="forged").status == 403
    assert queued(redis_client) == []


def test_the_voicemail_is_kept_processed_and_transcribed_with_the_expected_phrases(
        app: Flask, media: MediaMock, rt: Runtime, settings: Settings,
        redis_client: redis.Redis) -> None:
    media.audio[SID] = voicemail("I want to pay my bill")
    call = leave_voicemail(app)
    ready(call)
    assert processing.process(rt, call.sid, SID) == "processed"
    assert media.log == [Served("GET", f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/"
                                       f"{SID}.wav", 200)]
    assert queued(redis_client)[-1] == ("recordings.jobs.transcribe_recording", (call.sid, SID))
    assert processing.transcribe(rt, call.sid, SID) == "transcribed (grammar)"

    voicemail_left, processed, heard = recording_entries(app, call)
    assert voicemail_left["text"] == "Voicemail recorded"
    assert "I want to pay my bill" in voicemail_left["expected"]
    assert processed["status"] == "processed" and 1.0 < processed["duration"] < 3.0
    assert processed["text"] == "Recording processed: 0:02"
    kept = settings.data_dir / "recordings"
    for form in ("wav", "mp3"):
        data = (kept / f"{SID}.{form}").read_bytes()
        assert processed["files"][form] == {"name": f"{SID}.{form}", "size": len(data),
                                            "sha256": hashlib.sha256(data).hexdigest()}
    assert heard["text"] == "i want to pay my bill"
    assert (heard["source"], heard["mode"], heard["confidence"]) == (
        "pocketsphinx", "grammar", "high")


def test_words_outside_the_expected_phrases_are_transcribed_free_form_as_low_confidence(
        app: Flask, media: MediaMock, rt: Runtime) -> None:
    media.audio[SID] = voicemail("the weather is lovely in the mountains today")
    call = leave_voicemail(app)
    processing.process(rt, call.sid, SID)
    processing.transcribe(rt, call.sid, SID)
    heard = recording_entries(app, call)[-1]
    assert heard["kind"] == "transcription"
    assert (heard["mode"], heard["confidence"]) == ("free-form", "low")


@pytest.mark.parametrize("served", [b"", b"<html>Service Unavailable</html>", None])
def test_a_broken_download_is_retried_then_marked_failed(
        app: Flask, media: MediaMock, rt: Runtime, redis_client: redis.Redis,
        served: bytes | None) -> None:
    if served is not None:
        media.audio[SID] = served  # else: the mock answers 404
    call = leave_voicemail(app)
    for attempt in range(1, MAX_ATTEMPTS):
        assert processing.process(rt, call.sid, SID, attempt).startswith("retrying")
        registry = ScheduledJobRegistry(jobs.QUEUE, connection=redis_client)  # type: ignore[no-untyped-call]
        [job_id] = registry.get_job_ids()
        job = Queue(jobs.QUEUE, connection=redis_client).fetch_job(job_id)
        assert job is not None and tuple(job.args) == (call.sid, SID, attempt + 1)
        registry.remove(job, delete_job=True)
    assert recording_entries(app, call)[-1]["text"] == "Voicemail recorded"  # nothing yet
    assert processing.process(rt, call.sid, SID, MAX_ATTEMPTS).startswith("failed")
    failed = recording_entries(app, call)[-1]
    assert failed["status"] == "failed" and failed["attempts"] == MAX_ATTEMPTS
    assert failed["text"].startswith("Recording could not be processed: ")
    assert queued(redis_client) == []  # nothing left to transcribe


def test_a_forged_recording_url_is_never_fetched(
        app: Flask, media: MediaMock, rt: Runtime, redis_client: redis.Redis) -> None:
    media.audio[SID] = voicemail("please call me back about my bill")
    call = leave_voicemail(app)
    ready(call, RecordingUrl="http://169.254.169.254/latest/meta-data.wav")
    [(_, args)] = queued(redis_client)
    assert args == (call.sid, SID)  # the job carries the SID only
    processing.process(rt, call.sid, *args[1:])
    assert [s.path for s in media.log] == [
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{SID}.wav"]


def test_twilio_s_own_transcription_joins_the_call_as_unrated(app: Flask) -> None:
    call = leave_voicemail(app)
    form = call.form(RecordingSid=SID, TranscriptionStatus="completed",
                     TranscriptionText="Hi, please call me back about my bill.",
                     TranscriptionSid="TR" + "1" * 32)
    assert call.post("/recordings/transcription", form).status == 200
    heard = recording_entries(app, call)[-1]
    assert heard["text"] == "Hi, please call me back about my bill."
    assert (heard["source"], heard["confidence"]) == ("twilio", "unrated")


def test_a_recording_twilio_could_not_make_is_marked_failed(app: Flask,
                                                            redis_client: redis.Redis) -> None:
    call = leave_voicemail(app)
    assert ready(call, status="absent") == 200
    assert recording_entries(app, call)[-1]["status"] == "failed"
    assert queued(redis_client) == []
