"""Card details keyed at a sensitive menu node stay out of the call's recording: the recording
is paused (Twilio REST, nothing kept while paused) while the question the caller hears is a
sensitive node's, and resumed as soon as it is not. The digits themselves are masked in the
call's log by the call flow."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from core import call_recording
from core.deps import deps
from core.events import Event, EventKind
from core.telephony import CallRecorder, TelephonyError
from core.webhook_reply import step_key
from ivr.menu import Menu
from ivr.menu_place import Place

log = logging.getLogger(__name__)


def asked_place(reply: str) -> bytes:
    """The raw query of the menu place whose question `reply` asks (b"" when it asks none)."""
    try:
        gather = ET.fromstring(reply).find(".//Gather")
    except ET.ParseError:
        return b""
    action = gather.get("action", "") if gather is not None else ""
    return urlsplit(action).query.encode() if "/voice/menu" in action else b""


def guard(call_sid: str, asked: Place | None, menu: Menu) -> None:
    """Pause the call's recording while `asked` is a sensitive node, resume it otherwise."""
    d = deps()
    recording = call_recording.current(d.redis, call_sid)
    recorder = d.telephony
    if recording is None or not isinstance(recorder, CallRecorder):
        return
    sensitive = asked is not None and asked.position.node in menu.sensitive_nodes
    if sensitive == recording.paused:
        return
    status = "paused" if sensitive else "in-progress"
    try:
        recorder.set_recording(call_sid, status)
    except TelephonyError as exc:
        log.error("call %s: recording not %s: %s", call_sid, status, exc)
        if sensitive:
            _stop_instead(recorder, call_sid, recording.sid)
        return
    call_recording.set_paused(d.redis, call_sid, sensitive)
    text = "Recording paused for card details" if sensitive else "Recording resumed"
    _note(call_sid, status, text, recording.sid)


def _stop_instead(recorder: CallRecorder, call_sid: str, recording_sid: str) -> None:
    """The recording could not be paused before card details: end it, so they are not kept
    (the rest of the call goes unrecorded, which is the side to err on)."""
    try:
        recorder.set_recording(call_sid, "stopped")
    except TelephonyError as exc:
        log.critical("call %s: recording neither paused nor stopped before card details: %s",
                     call_sid, exc)
        return
    call_recording.stopped(deps().redis, call_sid)
    _note(call_sid, "stopped", "Recording stopped: it could not be paused for card details",
          recording_sid)


def _note(call_sid: str, status: str, text: str, recording_sid: str) -> None:
    d = deps()
    d.sessions.note(call_sid, f"recording:{status}:{step_key()}", [Event(
        d.clock.now(), EventKind.NOTE, text, {"recording_sid": recording_sid, "pci": status})])
