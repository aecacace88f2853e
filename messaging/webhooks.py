"""The inbound text webhook (a phone number's Messaging URL): signed by Twilio, answered with
TwiML `<Message>` in the caller's language, never a 5xx. Each message is answered once, however
often Twilio retries it, and the exchange joins the ticket of the caller's callback or latest
open ticket."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import HTTPException

from callbacks import jobs
from core import keys
from core.deps import deps
from core.events import Event, EventKind
from core.form_fields import field
from core.phone import parse_caller
from core.phrases import ENGLISH, PhraseBook
from core.redis_values import text
from core.twilio_auth import require_twilio_signature
from messaging.replies import Answer, Inbox, answer

bp = Blueprint("messaging", __name__, url_prefix="/sms")
bp.before_request(require_twilio_signature)

ACTIVE_BOOK = "hotline.messaging.active_book"
"""app.extensions key: a function giving the active menu's phrase book (the app wires it)."""

ANSWERED_TTL = 24 * 3600
"""Seconds a message's answer is kept, so a retried request gets the same one."""

log = logging.getLogger(__name__)


@bp.post("/incoming")
def incoming() -> Response:
    """A caller's text: do what it asks, answer it."""
    sid = field(request.form, "MessageSid").strip()[:64]
    caller = parse_caller(field(request.form, "From"), deps().settings.default_region)
    if not sid or caller is None:
        return _twiml("")  # nothing to answer: not a message from a phone number
    client = deps().redis
    kept = client.get(keys.sms_answered(sid))
    if kept is not None:
        return Response(text(kept), mimetype="text/xml")
    body = field(request.form, "Body")[:1600]
    said = answer(Inbox(jobs.current(), _active_book()), caller.e164, body)
    _note(sid, caller.e164, field(request.form, "To"), body, said)
    reply = _twiml(said.reply)
    client.set(keys.sms_answered(sid), reply.get_data(as_text=True), ex=ANSWERED_TTL)
    return reply


@bp.errorhandler(Exception)
def on_error(error: Exception) -> Response | HTTPException:
    """A failure answers nothing rather than a 5xx (Twilio would retry, and text an error)."""
    if isinstance(error, HTTPException) and (error.code or 500) < 500:
        return error
    log.exception("sms webhook failed; the message gets no reply")
    return _twiml("")


def _note(sid: str, phone: str, ours: str, body: str, said: Answer) -> None:
    """The text and the reply, on the log of the call whose ticket they belong to."""
    if not said.call:
        return
    now = deps().clock.now()
    events = [Event(now, EventKind.SMS, body, {"direction": "inbound", "from": phone,
                                               "message_sid": sid})]
    if said.reply:
        events.append(Event(now, EventKind.SMS, said.reply,
                            {"direction": "outbound", "to": phone, "from": ours,
                             "purpose": "reply", "language": said.language}))
    deps().sessions.note(said.call, f"sms:{sid}", events)


def _twiml(reply: str) -> Response:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return Response(str(response), status=200, mimetype="text/xml")


def _active_book() -> Callable[[], PhraseBook]:
    found: Callable[[], PhraseBook] | None = current_app.extensions.get(ACTIVE_BOOK)
    return found if found is not None else (lambda: ENGLISH)
