"""Twilio voice webhooks for the menu: translate form posts into call-flow steps and back to TwiML.

Every route here is signed by Twilio; every answer is TwiML with status 200 unless the request
itself is malformed (4xx). Failures become an apology and the fallback route, never a 5xx.
"""

from __future__ import annotations

import logging
import math

from flask import Blueprint, Response, abort, current_app, request
from redis.client import Pipeline
from werkzeug.exceptions import HTTPException

from core.deps import deps
from core.phone import parse_caller
from core.redis_values import text_map
from core.session import CallSession, Change, Step
from core.twilio_auth import require_twilio_signature
from ivr import call_flow, twiml
from ivr.call_flow import Answer, Context, Urls
from ivr.caller_facts import active_outages, prefetch_outages, read_facts, remember_issue
from ivr.decision import category_of
from ivr.menu import Menu
from ivr.menu_store import MenuStore
from ivr.navigation import CallerInput

log = logging.getLogger(__name__)

bp = Blueprint("voice", __name__, url_prefix="/voice")
bp.before_request(require_twilio_signature)

FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
APOLOGY = "We're sorry, we can't take your call right now."
APOLOGY_TRANSFER = "We're sorry, our phone menu is not available. Connecting you to our team."
FALLBACK_LOCALE = "en-US"


def menus() -> MenuStore:
    store: MenuStore = current_app.extensions["hotline.menus"]
    return store


@bp.post("/incoming")
def incoming() -> Response:
    call_sid = _call_sid()

    def prefetch(pipe: Pipeline) -> None:
        MenuStore.prefetch_active(pipe)
        prefetch_outages(pipe)

    def decide(step: Step) -> Change:
        session = step.session
        if session is not None:
            return call_flow.resume(_context(session), session).change
        version, outages = step.extras
        return _begin(call_sid, menus().active_from(version), text_map(outages)).change

    return _twiml(deps().sessions.run(call_sid, _step_key(), decide, prefetch))


@bp.post("/menu")
def menu_step() -> Response:
    call_sid = _call_sid()
    given = CallerInput() if request.args.get("silence") else _caller_input()
    decided: list[Answer] = []

    def decide(step: Step) -> Change:
        session = step.session
        if session is None:
            return _begin(call_sid, menus().active(), active_outages(deps().redis)).change
        answer = call_flow.take_input(_context(session), session, given)
        decided[:] = [answer]
        return answer.change

    reply = deps().sessions.run(call_sid, _step_key(), decide)
    if decided and decided[0].decision is not None and decided[0].session.caller:
        _remember(decided[0])
    return _twiml(reply)


@bp.post("/status")
def status() -> Response:
    call_sid = _call_sid()
    call_status = request.form.get("CallStatus", "")
    if call_status not in FINAL_STATUSES:
        return _twiml(twiml.empty())

    def decide(step: Step) -> Change | str:
        session = step.session
        if session is None or session.status == "ended":
            return twiml.empty()
        duration = request.form.get("CallDuration", "")
        return call_flow.end(_context(session), session, call_status, duration).change

    return _twiml(deps().sessions.run(call_sid, f"status:{call_status}", decide))


@bp.post("/voicemail")
def voicemail() -> Response:
    call_sid = _call_sid()
    form = request.form

    def decide(step: Step) -> Change | str:
        session = step.session
        if session is None:
            return twiml.say_then_hang_up([])
        return call_flow.voicemail_left(
            _context(session), session, form.get("RecordingSid", ""),
            form.get("RecordingUrl", ""), form.get("RecordingDuration", ""),
        ).change

    return _twiml(deps().sessions.run(call_sid, _step_key(), decide))


@bp.post("/transfer")
def transfer_done() -> Response:
    call_sid = _call_sid()
    dial_status = request.form.get("DialCallStatus", "")

    def decide(step: Step) -> Change | str:
        session = step.session
        if session is None:
            return twiml.say_then_hang_up([])
        return call_flow.transfer_done(_context(session), session, dial_status).change

    return _twiml(deps().sessions.run(call_sid, _step_key(), decide))


@bp.post("/after-queue")
def after_queue() -> Response:
    """Twilio's <Enqueue action>: the caller left the queue (QueueResult says how)."""
    call_sid = _call_sid()
    result = request.form.get("QueueResult", "")

    def decide(step: Step) -> Change | str:
        session = step.session
        if session is None:
            return twiml.say_then_hang_up([])
        return call_flow.after_queue(_context(session), session, result).change

    return _twiml(deps().sessions.run(call_sid, _step_key(), decide))


@bp.post("/survey")
def survey() -> Response:
    call_sid = _call_sid()
    digits = request.form.get("Digits", "").strip()

    def decide(step: Step) -> Change | str:
        session = step.session
        if session is None or _context(session).menu.survey is None:
            return twiml.say_then_hang_up([])
        return call_flow.survey_answer(_context(session), session, digits).change

    return _twiml(deps().sessions.run(call_sid, _step_key(), decide))


@bp.post("/fallback")
def fallback() -> Response:
    """The number's fallback URL: useful TwiML without touching Redis or the menu."""
    return _twiml(_apology())


@bp.errorhandler(Exception)
def on_error(error: Exception) -> Response | HTTPException:
    if isinstance(error, HTTPException) and (error.code or 500) < 500:
        return error
    log.exception("voice webhook %s failed; caller gets the fallback route", request.path)
    return _twiml(_apology())


def _begin(call_sid: str, menu: Menu, outages: dict[str, str]) -> Answer:
    caller = parse_caller(request.form.get("From", ""), deps().settings.default_region)
    ctx = _make_context(menu.version, caller.e164 if caller else None)
    notices = list(outages.values())
    return call_flow.begin(ctx, call_sid, caller, request.form.get("To", ""), notices)


def _context(session: CallSession) -> Context:
    return _make_context(session.menu_version, session.caller)


def _make_context(menu_version: str, caller: str | None) -> Context:
    d = deps()
    return Context(
        menu=menus().get(menu_version),
        urls=Urls(d.settings.public_url),
        now=d.clock.now(),
        repeat_window=d.settings.repeat_window,
        facts=lambda: read_facts(d.redis, caller),
    )


def _remember(answer: Answer) -> None:
    d = deps()
    assert answer.decision is not None and answer.session.caller is not None
    remember_issue(d.redis, answer.session.caller, category_of(answer.decision.issue),
                   d.clock.now().timestamp(), d.settings.repeat_window)


def _call_sid() -> str:
    call_sid = request.form.get("CallSid", "").strip()
    if not call_sid or len(call_sid) > 64:
        abort(400, description="CallSid: required, at most 64 characters")
    return call_sid


def _step_key() -> str:
    # Twilio repeats I-Twilio-Idempotency-Token on retries; the URL (which carries the step
    # number Hotline put in it) is the fallback when the header is absent.
    token = request.headers.get("I-Twilio-Idempotency-Token", "").strip()
    return f"token:{token}" if token else f"url:{request.full_path.rstrip('?')}"


def _caller_input() -> CallerInput:
    form = request.form
    return CallerInput(
        digits=form.get("Digits", "").strip()[:32],
        speech=form.get("SpeechResult", "")[:1000],
        confidence=_confidence(form.get("Confidence")),
    )


def _confidence(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _apology() -> str:
    number = deps().settings.fallback_number
    return twiml.apology(FALLBACK_LOCALE, APOLOGY_TRANSFER if number else APOLOGY, number)


def _twiml(body: str) -> Response:
    return Response(body, status=200, mimetype="text/xml")
