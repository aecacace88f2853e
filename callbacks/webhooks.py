"""Callback webhooks: the offer conversation (from the menu, the hold queue, or up front on a
long wait), a repeat caller's pending callback, and the outbound callback call's answer and
status callbacks. Views translate form posts and TwiML; callbacks.offer, .promise, .dialer and
.outcomes decide.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Response, request

from callbacks import offer, outcomes
from callbacks.booking import NotChangeable, cancel
from callbacks.numbers import Refused, check_number
from callbacks.offer import say_then
from callbacks.offer_steps import (
    Offer,
    again,
    ask_digits,
    ask_mode,
    ask_number,
    ask_pending,
    ask_slot,
    confirm_step,
    pending_of,
    phrases_of,
    runtime,
    to_queue,
    when_said,
)
from callbacks.promise import Choice, promise, when_words
from callbacks.record import Mode
from core import keys
from core.deps import deps
from core.events import Event, EventKind
from core.phrases import phrases_for
from core.routes import Routes
from core.routing import Routing
from core.session import CallSession, Change, Step
from core.twilio_auth import call_sid_of, require_twilio_signature
from core.webhook_reply import empty, step_key, twiml
from core.webhook_safety import never_5xx

bp = Blueprint("callbacks", __name__, url_prefix="/callbacks")
bp.before_request(require_twilio_signature)
never_5xx(bp)

StepLogic = Callable[[CallSession, Offer, str], tuple[Offer, list[str], str]]
"""A step of the offer: (session, offer state, digits) -> (new state, words said, TwiML)."""


@bp.post("/offer")
def start() -> Response:
    origin = request.args.get("from", "menu")[:20]

    def logic(session: CallSession, state: Offer, digits: str) -> tuple[Offer, list[str], str]:
        return ask_mode({"origin": origin, "tries": 0}, session,
                        [offer.intro(origin, phrases_of(session))])

    return _offer_step(logic, fresh=True)


@bp.post("/when")
def when() -> Response:
    def logic(session: CallSession, state: Offer, digits: str) -> tuple[Offer, list[str], str]:
        if digits == "1":
            return ask_number({**state, "mode": Mode.ASAP.value, "tries": 0}, session)
        if digits == "2":
            return ask_slot({**state, "tries": 0}, session)
        if digits == offer.STAY_KEY:
            return to_queue(state, session)
        return again(state, session, ask_mode)

    return _offer_step(logic)


@bp.post("/slot")
def slot() -> Response:
    def logic(session: CallSession, state: Offer, digits: str) -> tuple[Offer, list[str], str]:
        slots = state.get("slots") or []
        index = offer.chosen_slot(digits, len(slots))
        if index is None:
            return again(state, session, ask_slot)
        chosen = {**state, "mode": Mode.SLOT.value, "due_at": slots[index], "tries": 0}
        return ask_number(chosen, session)

    return _offer_step(logic)


@bp.post("/number")
def number() -> Response:
    def logic(session: CallSession, state: Offer, digits: str) -> tuple[Offer, list[str], str]:
        if digits == "1" and session.caller:
            return confirm_step({**state, "phone": session.caller, "tries": 0}, session)
        if digits == "2":
            return ask_digits({**state, "tries": 0}, session, [])
        return again(state, session, ask_number)

    return _offer_step(logic)


@bp.post("/entered")
def entered() -> Response:
    def logic(session: CallSession, state: Offer, digits: str) -> tuple[Offer, list[str], str]:
        region = session.region or deps().settings.default_region
        checked = check_number(digits, region) if digits else None
        if isinstance(checked, str):
            return confirm_step({**state, "phone": checked, "tries": 0}, session)
        reason = phrases_of(session).say(checked.phrase if isinstance(checked, Refused)
                                         else "offer_not_understood")
        tries = int(state.get("tries", 0)) + 1
        if tries >= offer.MAX_TRIES:
            return to_queue(state, session)
        return ask_digits({**state, "tries": tries}, session, [reason])

    return _offer_step(logic)


@bp.post("/confirm")
def confirm() -> Response:
    call_sid = call_sid_of(request.form)
    d = deps()
    step = d.sessions.read(call_sid, step_key())
    if step.answered is not None:
        return twiml(step.answered)
    state = _offer_of(step.session)
    if step.session is not None and request.form.get("Digits", "") == "1" and \
            state.get("phone") and state.get("mode"):
        # Promised before the step is committed: a retry after a crash here finds the same
        # callback through the number-and-issue dedupe, so nothing is promised twice.
        choice = Choice(Mode(state["mode"]), state["phone"], float(state.get("due_at") or 0))
        promise(runtime(), step.session, choice, state.get("tz", ""))

    def logic(session: CallSession, state: Offer, digits: str) -> tuple[Offer, list[str], str]:
        if digits == "1" and state.get("phone") and state.get("mode"):
            words = phrases_of(session)
            said = words.say("promised", when=when_said(state, words))
            return {**state, "done": True}, [said], say_then([said], words.locale)
        if digits == "2":
            return ask_mode({"origin": state.get("origin", "menu"), "tries": 0}, session, [])
        return again(state, session, confirm_step)

    return _offer_step(logic)


@bp.post("/pending")
def pending() -> Response:
    """A caller with a pending callback called again (the IVR sends them here first)."""
    def logic(session: CallSession, state: Offer, digits: str) -> tuple[Offer, list[str], str]:
        return ask_pending({"tries": 0}, session)

    return _offer_step(logic, fresh=True)


@bp.post("/pending-choice")
def pending_choice() -> Response:
    def logic(session: CallSession, state: Offer, digits: str) -> tuple[Offer, list[str], str]:
        back = Routes(deps().settings.public_url).menu_after_callbacks()
        words = phrases_of(session)
        if digits == "1":
            kept = words.say("offer_kept")
            return state, [kept], say_then([kept], words.locale, back)
        if digits == "2":
            for record in pending_of(session):
                with contextlib.suppress(NotChangeable):  # dialled meanwhile: let it ring
                    cancel(runtime(), record.id, "by the caller on a new call")
            cancelled = words.say("offer_cancelled")
            return state, [cancelled], say_then([cancelled], words.locale, back)
        return again(state, session, ask_pending)

    return _offer_step(logic)


@bp.post("/answer")
def answer() -> Response:
    """The customer's phone answered the callback (Twilio has run machine detection)."""
    attempt = request.args.get("attempt", "")[:64]
    call_sid = call_sid_of(request.form)
    picked = outcomes.answered(runtime(), attempt, call_sid,
                               request.form.get("AnsweredBy", ""))
    return twiml(_pickup_twiml(picked))


@bp.post("/status")
def status() -> Response:
    attempt = request.args.get("attempt", "")[:64]
    call_sid = call_sid_of(request.form)
    call_status = request.form.get("CallStatus", "")[:20]
    seen = keys.callback_attempt(f"{attempt}:status:{call_status}")
    if deps().redis.set(seen, "1", nx=True, ex=24 * 3600):
        outcomes.status(runtime(), attempt, call_sid, call_status,
                        request.form.get("AnsweredBy", ""))
    return twiml(empty())


def _offer_step(logic: StepLogic, fresh: bool = False) -> Response:
    """Run one step of the offer on the call's session, exactly once per Twilio request."""
    call_sid = call_sid_of(request.form)
    d = deps()
    digits = request.form.get("Digits", "").strip()[:20]

    def decide(step: Step) -> Change | str:
        session = step.session
        if session is None:
            words = phrases_for(d.redis, "", "")
            return say_then([words.say("unknown_call")], words.locale)
        state = {} if fresh else _offer_of(session)
        new_state, said, reply = logic(session, state, digits)
        events = [] if fresh else _heard(d.clock.now(), request.path.rsplit("/", 1)[-1],
                                         digits, state)
        events += [Event(d.clock.now(), EventKind.PROMPT, line, {"node": "callback-offer"})
                   for line in said]
        routing = (session.routing or Routing()).with_offer(new_state)
        return Change(session.evolve(routing=routing), events, reply)

    return twiml(d.sessions.run(call_sid, step_key(), decide))


def _heard(at: datetime, step: str, digits: str, state: Offer) -> list[Event]:
    """The key as the transcript tells it: what it meant at that step, in words."""
    if digits:
        offered = [when_words(Choice(Mode.SLOT, "", float(t)), at, str(state.get("tz") or "UTC"))
                   for t in state.get("slots") or []] if step == "slot" else []
        meaning = offer.key_meaning(step, digits, offered)
        return [Event(at, EventKind.DTMF, f"Pressed {digits}: {meaning}",
                      {"digits": digits, "node": "callback-offer", "step": step,
                       "meaning": meaning})]
    return [Event(at, EventKind.NOTE, "No input at the callback offer",
                  {"node": "callback-offer"})]


def _pickup_twiml(picked: outcomes.Pickup) -> str:
    record = picked.record
    d = deps()
    words = phrases_for(d.redis, record.menu_version if record else "",
                        record.language if record else "")
    routes = Routes(d.settings.public_url)
    if picked.action == "connect" and record is not None:
        target = routes.queue_connect(record.agent) if record.agent \
            else routes.queue_enter(stay=True)  # customer-first: joins the line, no new offer
        topic = words.issue(record.issue)  # a caller-facing name, never the internal id
        hello = words.say("callback_greeting", issue=topic) if topic else \
            words.say("callback_greeting_general")
        return say_then([hello], words.locale, target)
    if picked.action == "voicemail":
        return say_then([words.say("callback_voicemail")], words.locale)
    return say_then([words.say("callback_not_needed")], words.locale)


def _offer_of(session: CallSession | None) -> Offer:
    routing = session.routing if session else None
    return dict(routing.offer) if routing is not None else {}
