"""A recording's life after Twilio made it: fetched, cleaned, kept, transcribed, and each
result written onto the call's event log, from where the ticket bridge puts it on the ticket.

Every step notes its event once per recording (a step key per recording and step), so a job
that RQ runs twice or a status callback Twilio sends twice changes nothing. A download that is
empty, unreadable or refused is tried MAX_ATTEMPTS times, then the recording is marked failed
on the ticket; no failure of the audio ever escapes the job to crash or stall the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.clock import Clock
from core.events import Event, EventKind
from core.session import SessionStore
from recordings import audio, transcriber
from recordings.download import MediaSource
from recordings.errors import BadAudio, DownloadFailed, NotStored
from recordings.storage import AudioStore, StoredFile

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_AFTER = (30, 300)
"""Seconds before the second and third download (Twilio may not have the file ready yet)."""


@dataclass(frozen=True)
class Runtime:
    """What processing reaches: the call logs, the audio store, Twilio's media, a clock, and
    how to run a later step (`retry(call, recording, attempt, delay)`, `transcribe(call,
    recording)`), which the jobs module binds to RQ."""

    sessions: SessionStore
    store: AudioStore
    media: MediaSource
    clock: Clock
    retry: Callable[[str, str, int, int], None]
    transcribe: Callable[[str, str], None]


def process(rt: Runtime, call_sid: str, recording_sid: str, attempt: int = 1) -> str:
    """Fetch, clean and keep the recording; note the result on the call; what happened."""
    try:
        done = audio.process(rt.media.fetch(recording_sid))
    except (DownloadFailed, BadAudio) as exc:
        return _attempt_failed(rt, call_sid, recording_sid, attempt, str(exc))
    files = {"wav": rt.store.put(f"{recording_sid}.wav", done.wav),
             "mp3": rt.store.put(f"{recording_sid}.mp3", done.mp3)}
    seconds = round(done.duration_ms / 1000, 1)
    event = recording_event(rt.clock.now(), recording_sid, "processed",
                            f"Recording processed: {spoken_length(seconds)}",
                            duration=seconds, files=_files(files))
    if not rt.sessions.note(call_sid, f"recording:{recording_sid}:processed", [event]):
        return "call unknown"
    rt.transcribe(call_sid, recording_sid)
    return "processed"


def transcribe(rt: Runtime, call_sid: str, recording_sid: str) -> str:
    """Transcribe the kept recording (with the phrases the caller was expected to say, if the
    call's log names any) and note the text on the call."""
    try:
        kept = audio.decode(rt.store.read(f"{recording_sid}.wav"))
    except (NotStored, BadAudio) as exc:
        return f"not transcribed: {exc}"
    heard = transcriber.transcribe(kept, expected_phrases(rt.sessions.events(call_sid),
                                                          recording_sid))
    event = transcription_event(rt.clock.now(), recording_sid, heard.text, **heard.details())
    rt.sessions.note(call_sid, f"recording:{recording_sid}:transcription", [event])
    return f"transcribed ({heard.mode})"


def recording_event(at: datetime, recording_sid: str, status: str, text: str,
                    **details: Any) -> Event:
    return Event(at, EventKind.RECORDING, text,
                 {"recording_sid": recording_sid, "status": status, **details})


def transcription_event(at: datetime, recording_sid: str, text: str, **details: Any) -> Event:
    return Event(at, EventKind.TRANSCRIPTION, text, {"recording_sid": recording_sid, **details})


def expected_phrases(events: Sequence[dict[str, Any]], recording_sid: str) -> list[str]:
    """The phrases the IVR expected in this recording (its voicemail event's `expected`)."""
    for event in events:
        if event.get("kind") == "recording" and event.get("recording_sid") == recording_sid:
            found = event.get("expected")
            if isinstance(found, list):
                return [str(p) for p in found]
    return []


def spoken_length(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _attempt_failed(rt: Runtime, call_sid: str, recording_sid: str, attempt: int,
                    reason: str) -> str:
    if attempt < MAX_ATTEMPTS:
        delay = RETRY_AFTER[min(attempt, len(RETRY_AFTER)) - 1]
        log.warning("recording %s: attempt %d failed (%s); again in %d s",
                    recording_sid, attempt, reason, delay)
        rt.retry(call_sid, recording_sid, attempt + 1, delay)
        return f"retrying: {reason}"
    event = recording_event(rt.clock.now(), recording_sid, "failed",
                            f"Recording could not be processed: {reason}",
                            attempts=attempt, reason=reason)
    rt.sessions.note(call_sid, f"recording:{recording_sid}:failed", [event])
    log.error("recording %s: failed after %d attempts (%s)", recording_sid, attempt, reason)
    return f"failed: {reason}"


def _files(files: dict[str, StoredFile]) -> dict[str, dict[str, str | int]]:
    return {form: kept.to_dict() for form, kept in files.items()}
