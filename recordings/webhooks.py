"""Twilio's recording callbacks: a recording is ready (or failed), or Twilio transcribed one.

Signed like every webhook; answered with empty TwiML, never 5xx. Only the recording's SID is
taken from the form, checked; the media is fetched later by a job from a URL built from it.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from core import keys
from core.deps import deps
from core.telephony import RECORDING_SID
from core.twilio_auth import call_sid_of, require_twilio_signature
from core.webhook_reply import empty, twiml
from core.webhook_safety import never_5xx
from recordings.jobs import enqueue_processing
from recordings.processing import recording_event, transcription_event

bp = Blueprint("recordings", __name__, url_prefix="/recordings")
bp.before_request(require_twilio_signature)
never_5xx(bp)

MAX_TRANSCRIPTION = 5000
"""Characters of Twilio's transcription kept (a two-minute voicemail is far fewer)."""


@bp.post("/status")
def status() -> Response:
    call_sid, recording_sid = call_sid_of(request.form), _recording_sid()
    state = request.form.get("RecordingStatus", "")
    d = deps()
    if not recording_sid:
        return twiml(empty())
    if state == "completed":
        if d.redis.set(keys.recording_taken(recording_sid), "1", nx=True,
                       ex=d.settings.session_ttl):
            enqueue_processing(d.redis, call_sid, recording_sid)
    elif state in ("failed", "absent"):
        event = recording_event(d.clock.now(), recording_sid, "failed",
                                f"Twilio could not make the recording ({state})")
        d.sessions.note(call_sid, f"recording:{recording_sid}:failed", [event])
    return twiml(empty())


@bp.post("/transcription")
def transcription() -> Response:
    call_sid, recording_sid = call_sid_of(request.form), _recording_sid()
    text = request.form.get("TranscriptionText", "").strip()[:MAX_TRANSCRIPTION]
    if recording_sid and request.form.get("TranscriptionStatus") == "completed" and text:
        d = deps()
        # Twilio gives no confidence for its transcriptions.
        event = transcription_event(d.clock.now(), recording_sid, text, source="twilio",
                                    mode="free-form", confidence="unrated")
        d.sessions.note(call_sid, f"recording:{recording_sid}:transcription", [event])
    return twiml(empty())


def _recording_sid() -> str:
    sid = request.form.get("RecordingSid", "").strip()
    return sid if RECORDING_SID.fullmatch(sid) else ""
