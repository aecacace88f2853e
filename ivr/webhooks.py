"""Twilio voice webhooks for the menu: translate form posts into call-flow steps and back to TwiML.

Every route here is signed by Twilio; every answer is TwiML with status 200 unless the request
itself is malformed (4xx). Failures become an apology and the fallback route, never a 5xx.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request

from core.call_status import CallStatus
from core.deps import deps
from core.form_fields import field
from core.phone import parse_caller
from core.routes import Routes
from core.session import CallSession, Change, Step
from core.telephony import trusted_recording
from core.twilio_auth import call_sid_of, require_twilio_signature
from core.webhook_reply import step_key
from core.webhook_reply import twiml as twiml_reply
from core.webhook_safety import apology_response, never_5xx
from ivr import call_flow, card_details, twiml
from ivr.call_flow import Answer, Context, Urls
from ivr.caller_facts import read_facts, remember_issue
from ivr.fast_path import Asks, Call, MenuSteps
from ivr.menu import Menu
from ivr.menu_store import MenuStore
from ivr.navigation import CallerInput

bp = Blueprint("voice", __name__, url_prefix="/voice")
bp.before_request(require_twilio_signature)
never_5xx(bp)

FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}


def menus() -> MenuStore:
    store: MenuStore = current_app.extensions["hotline.menus"]
    return store


@bp.post("/incoming")
def incoming() -> Response:
    call = _call()
    # A caller with a callback still owed hears about it first (keep or cancel), then comes
    # back here with ?callbacks=asked (then hears the recording notice, if the line records,
    # and comes back with &recording=told); one with an open ticket hears where it stands,
    # and comes back with ?tickets=told when they want something new.
    number = call.caller.e164 if call.caller else None
    asked = field(request.args, "callbacks")
    ask = Asks(callbacks_of=None if asked else number,
               tickets_of=None if field(request.args, "tickets") else number,
               consent_due=bool(asked) and not field(request.args, "recording"))
    return twiml_reply(_steps().start(call, ask, Routes(deps().settings.public_url)))


@bp.post("/menu")
def menu_step() -> Response:
    steps = _steps()
    place = steps.place(request.query_string)
    silence = place.silence if place is not None else bool(field(request.args, "silence"))
    reply, answer = steps.take_input(_call(), place, CallerInput() if silence else _caller_input())
    if answer is not None and answer.routing is not None and answer.session.caller:
        _remember(answer)
    menu = place.menu if place is not None else \
        menus().get(answer.session.menu_version) if answer is not None else None
    if menu is not None and menu.sensitive_nodes:
        card_details.guard(_call_sid(), steps.place(card_details.asked_place(reply)), menu)
    return twiml_reply(reply)


@bp.post("/status")
def status() -> Response:
    call_sid = _call_sid()
    call_status = request.form.get("CallStatus", "")
    if call_status not in FINAL_STATUSES:
        return twiml_reply(twiml.empty())

    def decide(step: Step) -> Change | str:
        session = step.session
        if session is None or session.status is CallStatus.ENDED:
            return twiml.empty()
        duration = request.form.get("CallDuration", "")
        return call_flow.end(_context(session), session, call_status, duration).change

    return twiml_reply(deps().sessions.run(call_sid, f"status:{call_status}", decide))


@bp.post("/voicemail")
def voicemail() -> Response:
    form = request.form
    sid, url = trusted_recording(form.get("RecordingSid", ""), form.get("RecordingUrl", ""),
                                 deps().settings.twilio_api_base_url)
    return _known_call_step(lambda ctx, session: call_flow.voicemail_left(
        ctx, session, sid, url, form.get("RecordingDuration", "")))


@bp.post("/transfer")
def transfer_done() -> Response:
    dial_status = request.form.get("DialCallStatus", "")
    return _known_call_step(
        lambda ctx, session: call_flow.transfer_done(ctx, session, dial_status))


@bp.post("/after-queue")
def after_queue() -> Response:
    """After the queue: Twilio's <Enqueue action> (QueueResult says how the caller left), or
    the queues' redirect after a talk with an agent (`?result=bridged`)."""
    result = request.form.get("QueueResult") or request.args.get("result", "")
    return _known_call_step(lambda ctx, session: call_flow.after_queue(ctx, session, result))


@bp.post("/survey")
def survey() -> Response:
    digits = request.form.get("Digits", "").strip()
    return _known_call_step(
        lambda ctx, session: call_flow.survey_answer(ctx, session, digits),
        applies=lambda ctx: ctx.menu.survey is not None)


def _known_call_step(step: Callable[[Context, CallSession], Answer],
                     applies: Callable[[Context], bool] = lambda ctx: True) -> Response:
    """Run one step of a call Hotline knows; for an unknown call (or a step that does not
    apply to its menu) just end it politely."""
    call_sid = _call_sid()

    def decide(read: Step) -> Change | str:
        session = read.session
        if session is None:
            return twiml.say_then_hang_up([])
        ctx = _context(session)
        if not applies(ctx):
            return twiml.say_then_hang_up([])
        return step(ctx, session).change

    return twiml_reply(deps().sessions.run(call_sid, step_key(), decide))


@bp.post("/fallback")
def fallback() -> Response:
    """The number's fallback URL: useful TwiML without touching Redis or the menu."""
    return apology_response()


def _context(session: CallSession) -> Context:
    return _make_context(menus().get(session.menu_version), session.caller, session.called)


def _make_context(menu: Menu, caller: str | None, called: str) -> Context:
    d = deps()
    return Context(
        menu=menu,
        urls=Urls(d.settings.public_url, d.settings.transcription == "twilio"),
        now=d.clock.now(),
        repeat_window=d.settings.repeat_window,
        facts=functools.cache(lambda: read_facts(d.redis, caller, called)),
    )


def _remember(answer: Answer) -> None:
    d = deps()
    assert answer.routing is not None and answer.session.caller is not None
    remember_issue(d.redis, answer.session.caller, answer.routing.category,
                   d.clock.now().timestamp(), d.settings.repeat_window)


def _call_sid() -> str:
    return call_sid_of(request.form)


def _call() -> Call:
    form = request.form
    return Call(_call_sid(), step_key(), parse_caller(form.get("From", ""),
                deps().settings.default_region), form.get("To", ""))


def _steps() -> MenuSteps:
    d = deps()
    return MenuSteps(d.sessions, menus(), d.redis, _make_context)


def _caller_input() -> CallerInput:
    form = request.form
    return CallerInput(
        digits=field(form, "Digits").strip()[:32],
        speech=field(form, "SpeechResult")[:1000],
        confidence=_confidence(field(form, "Confidence")),
    )


def _confidence(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None
