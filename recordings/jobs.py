"""RQ entry points of recordings, enqueued by dotted path, and how they are enqueued.

`recordings.jobs.process_recording(call_sid, recording_sid)` is enqueued by the recording
status callback; it enqueues its own retries and the transcription.
"""

from __future__ import annotations

import os
from datetime import timedelta

import redis
from rq import Queue

from core.clock import Clock, SystemClock
from core.deps import connect
from core.errors import ConfigError
from core.session import SessionStore
from core.settings import Settings
from recordings import processing, retention
from recordings.download import MediaSource, media_source
from recordings.processing import Runtime
from recordings.storage import AudioStore, LocalStore

QUEUE = "hotline-low"
"""Audio work waits behind callbacks and helpdesk deliveries: nobody is on the line for it."""

RETENTION_EVERY = timedelta(hours=6)
RETENTION_JOB_ID = "hotline-recordings-retention"


def audio_store(settings: Settings) -> AudioStore:
    """The S3-compatible bucket when one is configured, else the local directory."""
    if settings.recordings_s3_bucket:
        from recordings.s3_store import s3_store  # boto3 is an optional extra

        return s3_store(settings.recordings_s3_bucket, settings.recordings_s3_endpoint)
    return LocalStore(settings.recordings_dir or settings.data_dir / "recordings")


def runtime(settings: Settings, client: redis.Redis, media: MediaSource | None = None,
            clock: Clock | None = None) -> Runtime:
    """Processing over `client`, its later steps enqueued on the RQ queue there."""
    queue = Queue(QUEUE, connection=client)

    def retry(call_sid: str, recording_sid: str, attempt: int, delay: int) -> None:
        queue.enqueue_in(timedelta(seconds=delay), "recordings.jobs.process_recording",
                         call_sid, recording_sid, attempt)

    def transcribe(call_sid: str, recording_sid: str) -> None:
        if settings.transcription == "offline":
            queue.enqueue("recordings.jobs.transcribe_recording", call_sid, recording_sid)

    return Runtime(sessions=SessionStore(client, settings.session_ttl),
                   store=audio_store(settings), media=media or media_source(settings),
                   clock=clock or SystemClock(), retry=retry, transcribe=transcribe)


def enqueue_processing(client: redis.Redis, call_sid: str, recording_sid: str) -> None:
    Queue(QUEUE, connection=client).enqueue("recordings.jobs.process_recording", call_sid,
                                            recording_sid)


def process_recording(call_sid: str, recording_sid: str, attempt: int = 1) -> str:
    """Job: fetch, clean and keep a finished recording (see recordings.processing)."""
    settings, client = _from_env()
    try:
        return processing.process(runtime(settings, client), call_sid, recording_sid, attempt)
    finally:
        client.close()


def transcribe_recording(call_sid: str, recording_sid: str) -> str:
    """Job: transcribe a kept recording offline and put the text on the call's log."""
    settings, client = _from_env()
    try:
        return processing.transcribe(runtime(settings, client), call_sid, recording_sid)
    finally:
        client.close()


def apply_retention() -> int:
    """Job: delete audio past HOTLINE_RECORDING_RETENTION_DAYS, then come back later."""
    settings, client = _from_env()
    try:
        deleted = retention.prune(audio_store(settings), SystemClock().now(),
                                  settings.recording_retention_days)
        schedule_retention(client)
        return len(deleted)
    finally:
        client.close()


def schedule_retention(client: redis.Redis, after: timedelta = RETENTION_EVERY) -> None:
    """Have the retention job run `after` from now (one job under one id, whoever asks: a
    worker starting asks for it at once)."""
    Queue(QUEUE, connection=client).enqueue_in(after, "recordings.jobs.apply_retention",
                                               job_id=RETENTION_JOB_ID)


def _from_env() -> tuple[Settings, redis.Redis]:
    settings = Settings.from_env()
    url = settings.redis_url or os.environ.get("REDIS_URL")
    if not url:
        raise ConfigError("REDIS_URL: the worker passes it to jobs")
    return settings, connect(url)
