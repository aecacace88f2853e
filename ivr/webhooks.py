"""Twilio voice webhooks for the menu: translate form posts into call-flow steps and back to TwiML.

Every route here is signed by Twilio; every answer is TwiML with status 200 unless the request
itself is malformed (4xx). Failures become an apology and the fallback route, never a 5xx.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request

from core import keys
from core.call_status import CallStatus
from core.caller_record import has_pending_callback, no_pending_callback, pending_callbacks_read
from core.deps import deps
from core.events import EventKind
from core.form_fields import field
from core.phone import CallerNumber, parse_caller
from core.routes import Routes
from core.session import CallSession, Change, Guess, Step
from core.telephony import trusted_recording
from core.twilio_auth import call_sid_of, require_twilio_signature
from core.webhook_reply import step_key
from core.webhook_reply import twiml as twiml_reply
from core.webhook_safety import apology_response, never_5xx
from ivr import call_flow, menu_place, twiml
from ivr.call_flow import Answer, Context, Urls
from ivr.caller_facts import active_outages, outages_from, outages_read, read_facts, remember_issue
from ivr.menu import Menu
from ivr.menu_place import PLACE_FIELDS, Place
from ivr.menu_store import MenuStore
from ivr.navigation import CallerInput
from ivr.start_guess import StartGuess

bp = Blueprint("voice", __name__, url_prefix="/voice")
bp.before_request(require_twilio_signature)
never_5xx(bp)

FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
START_GUESS = "hotline.start_guess"


def menus() -> MenuStore:
    store: MenuStore = current_app.extensions["hotline.menus"]
    return store


def start_guess() -> StartGuess:
    found: StartGuess | None = current_app.extensions.get(START_GUESS)
    if found is None:
        found = current_app.extensions.setdefault(START_GUESS, StartGuess())
    return found


@bp.post("/incoming")
def incoming() -> Response:
    call_sid = _call_sid()
    caller = parse_caller(request.form.get("From", ""), deps().settings.default_region)
    # A caller with a callback still owed hears about it first (keep or cancel), then comes
    # back here with ?callbacks=asked for the menu.
    owed = caller.e164 if caller is not None and not field(request.args, "callbacks") else None
    guess = start_guess()

    def decide(step: Step) -> Change:
        session = step.session
        if session is not None:
            return call_flow.resume(_context(session), session).change
        version, outages, *pending = step.extras
        guess.saw(version, outages)
        change = _begin(call_sid, caller, menus().active_from(version),
                        outages_from(outages)).change
        if pending and has_pending_callback(pending[0]):
            said = [e for e in change.events if e.kind is not EventKind.PROMPT]
            url = Routes(deps().settings.public_url).callbacks_pending()
            return Change(change.session, said, twiml.say_then_redirect([], url))
        return change

    reads = [MenuStore.active_read(), outages_read()]
    expected = guess.expected()
    if owed is not None:
        reads.append(pending_callbacks_read(owed))
        expected = expected.plus(0, no_pending_callback(owed)) if expected is not None else None
    first = Guess(decide(Step(None, None, expected.replies)), expected.guards) \
        if expected is not None else None
    return twiml_reply(deps().sessions.run(call_sid, step_key(), decide, reads, first))


@bp.post("/menu")
def menu_step() -> Response:
    call_sid = _call_sid()
    place = menu_place.read(request.query_string, menus().get)
    silence = place.silence if place is not None else bool(field(request.args, "silence"))
    given = CallerInput() if silence else _caller_input()
    decided: list[Answer] = []

    def decide(step: Step) -> Change:
        session = step.session
        if session is None:
            caller = parse_caller(request.form.get("From", ""), deps().settings.default_region)
            return _begin(call_sid, caller, menus().active(), active_outages(deps().redis)).change
        answer = call_flow.take_input(_context(session), session, given)
        decided[:] = [answer]
        return answer.change

    reply = deps().sessions.run(call_sid, step_key(), decide,
                                guess=_step_from_place(call_sid, place, given))
    if decided and decided[0].routing is not None and decided[0].session.caller:
        _remember(decided[0])
    return twiml_reply(reply)


def _step_from_place(call_sid: str, place: Place | None, given: CallerInput) -> Guess | None:
    """The step decided on where the action URL says the caller stands (`ivr.menu_place`),
    when the URL says so and that is all the step needs."""
    if place is None:
        return None
    answer = call_flow.move_in_menu(_make_context(place.menu, None), place.session(call_sid),
                                    given)
    if answer is None:
        return None
    # Choosing the language is when an outage notice is due, so that step holds only while
    # no outage is flagged; otherwise it is decided on the ordinary read.
    guards = [(keys.outages(), None)] if answer.settles_language else []
    return Guess(answer.change, guards, only=PLACE_FIELDS)


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


def _begin(call_sid: str, caller: CallerNumber | None, menu: Menu,
           outages: dict[str, str]) -> Answer:
    ctx = _make_context(menu, caller.e164 if caller else None)
    return call_flow.begin(ctx, call_sid, caller, request.form.get("To", ""), outages)


def _context(session: CallSession) -> Context:
    return _make_context(menus().get(session.menu_version), session.caller)


def _make_context(menu: Menu, caller: str | None) -> Context:
    d = deps()
    return Context(
        menu=menu,
        urls=Urls(d.settings.public_url),
        now=d.clock.now(),
        repeat_window=d.settings.repeat_window,
        facts=functools.cache(lambda: read_facts(d.redis, caller)),
    )


def _remember(answer: Answer) -> None:
    d = deps()
    assert answer.routing is not None and answer.session.caller is not None
    remember_issue(d.redis, answer.session.caller, answer.routing.category,
                   d.clock.now().timestamp(), d.settings.repeat_window)


def _call_sid() -> str:
    return call_sid_of(request.form)


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
