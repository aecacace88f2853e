"""Callback webhooks: the offer conversation (from the menu, the hold queue, or up front on a
long wait), a repeat caller's pending callback, and the outbound callback call's answer and
status callbacks. Views gather what a step reads and commit what it decides;
callbacks.offer_steps (the offer's transition table), .promise, .dialer and .outcomes decide.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Response, request

from callbacks import jobs, offer, outcomes
from callbacks.booking import NotChangeable, cancel
from callbacks.offer import say_then
from callbacks.offer_steps import Facts, Offer, take
from callbacks.policy import policy_for
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


@bp.post("/offer")
def start() -> Response:
    return _offer_step("offer", {"origin": request.args.get("from", "menu")[:20]})


@bp.post("/when")
def when() -> Response:
    return _offer_step("when")


@bp.post("/slot")
def slot() -> Response:
    return _offer_step("slot")


@bp.post("/number")
def number() -> Response:
    return _offer_step("number")


@bp.post("/entered")
def entered() -> Response:
    return _offer_step("entered")


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
        promise(jobs.current(), step.session, choice, state.get("tz", ""))
    return _offer_step("confirm")


@bp.post("/pending")
def pending() -> Response:
    """A caller with a pending callback called again (the IVR sends them here first)."""
    return _offer_step("pending", {})


@bp.post("/pending-choice")
def pending_choice() -> Response:
    def cancel_pending(session: CallSession, digits: str, facts: Facts) -> None:
        if digits != "2":
            return
        for record in facts.pending:
            with contextlib.suppress(NotChangeable):  # dialled meanwhile: let it ring
                cancel(jobs.current(), record.id, "by the caller on a new call")

    return _offer_step("pending-choice", effect=cancel_pending)


@bp.post("/answer")
def answer() -> Response:
    """The customer's phone answered the callback (Twilio has run machine detection)."""
    attempt = request.args.get("attempt", "")[:64]
    call_sid = call_sid_of(request.form)
    picked = outcomes.answered(jobs.current(), attempt, call_sid,
                               request.form.get("AnsweredBy", ""))
    return twiml(_pickup_twiml(picked))


@bp.post("/status")
def status() -> Response:
    attempt = request.args.get("attempt", "")[:64]
    call_sid = call_sid_of(request.form)
    call_status = request.form.get("CallStatus", "")[:20]
    seen = keys.callback_attempt(f"{attempt}:status:{call_status}")
    if deps().redis.set(seen, "1", nx=True, ex=24 * 3600):
        outcomes.status(jobs.current(), attempt, call_sid, call_status,
                        request.form.get("AnsweredBy", ""))
    return twiml(empty())


def _offer_step(step: str, fresh: Offer | None = None,
                effect: Callable[[CallSession, str, Facts], None] | None = None) -> Response:
    """Run one step of the offer on the call's session, exactly once per Twilio request:
    `fresh` starts a new offer in that state; `effect` acts before the step is committed."""
    call_sid = call_sid_of(request.form)
    d = deps()
    digits = request.form.get("Digits", "").strip()[:20]

    def decide(known: Step) -> Change | str:
        session = known.session
        if session is None:
            words = phrases_for(d.redis, "", "")
            return say_then([words.say("unknown_call")], words.locale)
        state = dict(fresh) if fresh is not None else _offer_of(session)
        facts = _facts(session, step)
        if effect is not None:
            effect(session, digits, facts)
        new_state, said, reply = take(step, digits, state, facts)
        events = [] if fresh is not None else _heard(d.clock.now(), step, digits, state)
        events += [Event(d.clock.now(), EventKind.PROMPT, line, {"node": "callback-offer"})
                   for line in said]
        routing = (session.routing or Routing()).with_offer(new_state)
        return Change(session.evolve(routing=routing), events, reply)

    return twiml(d.sessions.run(call_sid, step_key(), decide))


def _facts(session: CallSession, step: str) -> Facts:
    """What the offer's steps read, from the running app: phrases, policy, now, base URL."""
    d = deps()
    runtime = jobs.current()
    policy = policy_for(runtime.tree_settings(session.menu_version), session.timezone,
                        session.region,
                        runtime.line_open(session.menu_version, session.called))
    pending = runtime.store.pending_for_phone(session.caller) \
        if session.caller and step.startswith("pending") else []
    # Asked before the language question: in the language the callback was booked in.
    language = pending[0].language if pending and pending[0].language else session.language
    return Facts(phrases_for(d.redis, session.menu_version, language), policy,
                 d.clock.now(), d.settings.public_url, session.rev, session.caller or "",
                 session.region or d.settings.default_region, pending)


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
