"""Twilio's recording callbacks: a recording is ready (or failed), or Twilio transcribed one.

Signed like every webhook; answered with empty TwiML, never 5xx. Only the recording's SID is
taken from the form, checked; the media is fetched later by a job from a URL built from it.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from core import call_recording, keys
from core.deps import deps
from core.phrases import phrase_book
from core.routes import Routes
from core.telephony import RECORDING_SID, CallRecorder, TelephonyError
from core.twilio_auth import call_sid_of, require_twilio_signature
from core.webhook_reply import empty, say_then, twiml
from core.webhook_safety import never_5xx
from recordings import consent as consent_twiml
from recordings.consent import ConsentStep
from recordings.jobs import enqueue_processing
from recordings.processing import recording_event, transcription_event

bp = Blueprint("recordings", __name__, url_prefix="/recordings")
bp.before_request(require_twilio_signature)
never_5xx(bp)

log = logging.getLogger(__name__)

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


@bp.post("/consent")
def consent() -> Response:
    """A new call hears that it is recorded (and may decline, where the menu's policy for the
    caller's region allows), then goes back to the menu."""
    call_sid, d = call_sid_of(request.form), deps()
    routes = Routes(d.settings.public_url)
    back = routes.menu_after_consent()
    step = ConsentStep.of(request.args, request.form)
    session = d.sessions.load(call_sid)
    if session is None or not step.valid:
        return twiml(say_then([], back))
    book = phrase_book(d.redis, session.menu_version)
    phrases = [book.phrases(language) for language in
               (list(book.languages) if step.every_language else [session.language])]
    if step.asks:
        return twiml(consent_twiml.ask(phrases, step.key, step.answer_url(routes.base)))
    if step.declined:
        d.sessions.note(call_sid, "recording:consent",
                        [consent_twiml.declined(d.clock.now(), step.key)])
        return twiml(say_then(consent_twiml.said(phrases, "recording_declined"), back))
    _start_recording(call_sid, step.policy, routes)
    told = consent_twiml.said(phrases, "recording_notice") if step.policy == "announce" else []
    return twiml(say_then(told, back))


def _start_recording(call_sid: str, policy: str, routes: Routes) -> None:
    """Start recording the call once (a retried webhook does not start a second recording)."""
    d = deps()
    recorder = d.telephony
    if not isinstance(recorder, CallRecorder) or \
            not call_recording.claim(d.redis, call_sid, d.settings.session_ttl):
        return
    try:
        recording_sid = recorder.start_recording(call_sid, routes.recording_status())
    except TelephonyError as exc:
        log.error("call %s: recording not started: %s", call_sid, exc)
        d.sessions.note(call_sid, "recording:consent",
                        [consent_twiml.not_started(d.clock.now(), str(exc))])
        return
    call_recording.started(d.redis, call_sid, recording_sid)
    d.sessions.note(call_sid, "recording:consent", [
        consent_twiml.recording_started(d.clock.now(), policy, recording_sid)])


def _recording_sid() -> str:
    sid = request.form.get("RecordingSid", "").strip()
    return sid if RECORDING_SID.fullmatch(sid) else ""
