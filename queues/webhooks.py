"""Twilio webhooks of waiting and connecting: a routed caller joins the line (or is offered a
callback up front), hears their position and wait while on hold with the callback key live,
and is bridged to the chosen agent, who first hears the whisper. Handlers translate requests
and TwiML; the queue store, the line and the whisper decide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, request

from core.call_status import CallStatus
from core.caller_record import open_ticket
from core.caller_words import told
from core.events import Event, EventKind
from core.phrases import Phrases, phrases_for
from core.routing import Routing
from core.session import CallSession, Change, Step
from core.twilio_auth import call_sid_of, require_twilio_signature
from core.webhook_reply import empty, step_key, twiml
from core.webhook_safety import never_5xx
from queues import hold_twiml
from queues.agents import recent_enough
from queues.context import Queues, after_call, holds, queues
from queues.departure import CallerStep, Next, Release, dial_ended, left_hold
from queues.hold import hold_text, join_text
from queues.line import Outlook
from queues.queue_store import Assignment, set_name
from queues.whisper import whisper_text

bp = Blueprint("queues", __name__, url_prefix="/queues")
bp.before_request(require_twilio_signature)
never_5xx(bp)

@bp.post("/enter")
def enter() -> Response:
    """A routed caller joins their line: straight to a free agent, on hold with their position,
    or (when the wait is long or nobody of their tier is on shift) offered a callback first."""
    call_sid = call_sid_of(request.form)
    q = queues()
    offer_first = request.args.get("stay") != "1"

    def decide(step: Step) -> Change | str:
        session = step.session or CallSession(call_sid, status=CallStatus.ROUTED)
        routing = session.routing or Routing()
        now = q.now
        held = q.store.assignment(call_sid)
        if held and not held.ended and holds(q, held):
            return _connect(q, session, held, [])
        if offer_first and q.store.waiting_task(call_sid) is None:
            outlook = q.line().outlook(routing, call_sid, now)
            if outlook.wait is None or outlook.wait > q.d.settings.callback_offer_wait:
                return _offer_callback_first(q, session, routing, outlook)
        return _join(q, session, routing, now)

    return twiml(q.d.sessions.run(call_sid, step_key("enter"), decide))


def _offer_callback_first(q: Queues, session: CallSession, routing: Routing,
                          outlook: Outlook) -> Change:
    why = "no agent for this call is on shift" if outlook.wait is None else \
        f"the expected wait is {round(outlook.wait)} s"
    event = q.event(EventKind.QUEUE, f"Offered a callback before holding: {why}",
                    queue=routing.line_queue, tier=routing.tier, expected_wait=outlook.wait)
    origin = "no-agents" if outlook.wait is None else "long-wait"
    reply = hold_twiml.redirect(q.routes.callback_offer(origin, session.rev + 1))
    return Change(session, [event], reply)


def _join(q: Queues, session: CallSession, routing: Routing, now: float) -> Change:
    queued_at = routing.queued_at or now
    routing = routing.evolve(queued_at=queued_at)
    queue = routing.line_queue
    arrival = q.store.arrive(session.call_sid, queue, routing.tier, routing.skills,
                             routing.priority, queued_at, _preferred(q, session, routing), now=now)
    joined = session.evolve(routing=routing, status=CallStatus.QUEUED)
    if arrival.agent is not None and arrival.assignment is not None:
        held = Assignment(session.call_sid, arrival.agent, arrival.assignment)
        return _connect(q, joined, held, [])
    outlook = q.line().outlook(routing, session.call_sid, now)
    if outlook.wait is not None:
        q.stats.predict(session.call_sid, outlook.wait, queued_at)
    event = q.event(EventKind.QUEUE, f"Waiting in {set_name(queue, routing.tier, routing.skills)}"
                    f" at position {arrival.position}", queue=queue, tier=routing.tier,
                    skills=list(routing.skills), priority=routing.priority,
                    position=arrival.position, expected_wait=outlook.wait)
    said = _phrases(q, session)
    reply = hold_twiml.enqueue(_twilio_queue(routing), q.url("wait"),
                               q.url("left", s=joined.rev + 1), join_text(outlook, said),
                               said.locale)
    return Change(joined, [event], reply)


def _preferred(q: Queues, session: CallSession, routing: Routing) -> str | None:
    """The agent of the caller's open ticket on this issue, if it changed recently enough."""
    if not session.caller or not routing.issue:
        return None
    ticket = open_ticket(q.d.redis, session.caller, routing.issue)
    if ticket is None:
        return routing.preferred_agent
    if not recent_enough(ticket.get("updated_at"), q.d.clock.now(),
                         q.d.settings.last_agent_window):
        return None
    return ticket.get("assignee") or None


@bp.post("/wait")
def wait() -> Response:
    """Twilio's wait URL, asked again each time its answer has played: the position and wait,
    with the callback key live; `<Leave/>` once an agent has been given this caller."""
    call_sid = call_sid_of(request.form)
    q = queues()
    held = q.store.assignment(call_sid)
    if held and not held.ended:
        return twiml(hold_twiml.leave())
    waiting = q.store.waiting_task(call_sid)
    if waiting is None:
        return twiml(hold_twiml.leave())
    routing = Routing(queue=waiting.queue, tier=waiting.tier, skills=waiting.skills,
                      priority=waiting.priority, queued_at=waiting.arrived_at)
    outlook = q.line().outlook(routing, call_sid, q.now, waiting.position)
    session = q.d.sessions.load(call_sid)
    words = _phrases(q, session)
    said = hold_text(outlook, hold_twiml.CALLBACK_KEY, words)
    q.d.sessions.note(call_sid, step_key("hold"), [q.event(
        EventKind.PROMPT, said, node="hold", position=outlook.position,
        expected_wait=outlook.wait, locale=words.locale)])
    return twiml(hold_twiml.announcement(said, _hold_key_url(q, session),
                                        q.d.settings.hold_announce_every, words.locale))


@bp.post("/hold-key")
def hold_key() -> Response:
    """A key pressed on hold: the callback key leaves the line for the callback offer; any
    other key is explained and the caller keeps waiting."""
    call_sid = call_sid_of(request.form)
    q = queues()
    digits = request.form.get("Digits", "").strip()[:8]
    if digits != hold_twiml.CALLBACK_KEY:
        session = q.d.sessions.load(call_sid)
        words = _phrases(q, session)
        return twiml(hold_twiml.announcement(
            words.say("hold_wrong_key", key=hold_twiml.CALLBACK_KEY),
            _hold_key_url(q, session), q.d.settings.hold_announce_every, words.locale))

    def decide(step: Step) -> Change | str:
        if step.session is None:
            return hold_twiml.leave()
        event = q.event(EventKind.DTMF, "Pressed 1 on hold: asked for a callback",
                        digits=digits, label="callback")
        return Change(step.session.evolve(status=CallStatus.CALLBACK_REQUESTED), [event],
                      hold_twiml.leave())

    return twiml(q.d.sessions.run(call_sid, step_key("hold-key"), decide))


def _hold_key_url(q: Queues, session: CallSession | None) -> str:
    """Where a key pressed on hold goes, numbered by the session so that asking for a callback
    on a later hold is a new step."""
    return q.url("hold-key", s=session.rev if session else 0)


@bp.post("/left")
def left() -> Response:
    """Twilio's Enqueue action: why the caller left the hold line (QueueResult)."""
    call_sid = call_sid_of(request.form)
    q = queues()
    result = request.form.get("QueueResult", "")
    waited = request.form.get("QueueTime", "")
    held = q.store.assignment(call_sid)
    live = held if held and not held.ended and holds(q, held) else None
    if result == "redirected":
        # Pulled out by the REST redirect to /queues/connect: answer as that step does (the
        # same step key), so whichever of the two Twilio acts on connects the caller once.
        if live is None:
            return twiml(hold_twiml.nothing())
        return twiml(q.d.sessions.run(call_sid, f"connect:{live.number}", lambda step: (
            _connect(q, step.session, live, []) if step.session else hold_twiml.hang_up())))

    def decide(step: Step) -> Change | str:
        session = step.session
        leaving = left_hold(result, session.status if session else None, live is not None,
                            waited)
        if leaving.release is not None and live is not None:
            _release(q, live.agent, call_sid, leaving.release)
        if session is None or leaving.caller.next is Next.HANG_UP:
            return hold_twiml.hang_up()
        if leaving.caller.next is Next.CONNECT and live is not None:
            return _connect(q, session, live, [])
        removed = False
        if leaving.caller.leave_line:
            removed = q.store.abandon(call_sid)
            q.stats.forget(call_sid)
        details = {**leaving.caller.details, "removed": removed} \
            if leaving.caller.tells_removed else leaving.caller.details
        return _caller_step(q, session, leaving.caller, details)

    return twiml(q.d.sessions.run(call_sid, step_key("left"), decide))


def _release(q: Queues, agent_id: str, call_sid: str, release: Release) -> bool:
    """Free, wrap up or sideline the agent, once: only while they hold this call."""
    # One reading of the clock: the wrap-up job ends only the wrap-up that began at `now`.
    now = q.now
    if not q.store.finish(agent_id, call_sid, now, release.then, release.reason):
        return False
    if release.dispatch:
        after_call(q, agent_id, now, release.wrap_up)
    return True


def _caller_step(q: Queues, session: CallSession, step: CallerStep,
                 details: dict[str, object]) -> Change | str:
    """The caller's step as TwiML, with its event and new status when it changes the call."""
    rev = session.rev + 1 if step.changes else session.rev
    if step.next is Next.END:
        reply = empty()
    elif step.next is Next.CALLBACK_OFFER:
        reply = hold_twiml.redirect(q.routes.callback_offer(step.offer_from, rev))
    elif step.next is Next.AFTER_CALL:
        reply = hold_twiml.redirect(q.routes.after_queue("bridged"))
    else:
        reply = hold_twiml.redirect(q.url("enter", stay=1, s=rev))
    if not step.changes:
        return reply
    events = [q.event(step.kind, step.words, **details)] if step.words else []
    return Change(session.evolve(status=step.status) if step.status else session, events, reply)


@bp.post("/connect")
def connect() -> Response:
    """Bridge the call to the agent the queues gave it (`?agent=`); the call got here from a
    REST redirect out of the hold line, or as an answered callback."""
    call_sid = call_sid_of(request.form)
    q = queues()
    agent_id = request.args.get("agent", "")
    routing = _routing(q, call_sid)
    if routing is not None and routing.callback is not None:
        q.store.hand_over(agent_id, f"cb:{routing.callback.id}", call_sid, q.now)
    held = q.store.assignment(call_sid)
    if held is None or held.agent != agent_id or held.ended or not holds(q, held):
        return twiml(hold_twiml.redirect(q.url("enter", stay=1, s=_revision(q, call_sid))))

    def decide(step: Step) -> Change | str:
        if step.session is None:
            return hold_twiml.hang_up()
        return _connect(q, step.session, held, [])

    return twiml(q.d.sessions.run(call_sid, f"connect:{held.number}", decide))


def _connect(q: Queues, session: CallSession, held: Assignment, events: list[Event]) -> Change:
    agent = q.agents.get(held.agent)
    if agent is None:  # deregistered between assignment and now: back in line
        q.store.finish(held.agent, session.call_sid, q.now, "offline", "not registered")
        return Change(session, events,
                      hold_twiml.redirect(q.url("enter", stay=1, s=session.rev + 1)))
    if session.routing is not None and session.routing.queued_at is not None:
        q.stats.settle(session.call_sid, q.now)
    ringing = q.event(EventKind.AGENT, f"Ringing agent {agent.name} ({agent.id})",
                      agent=agent.id, state="ringing", assignment=held.number)
    said = _phrases(q, session)
    reply = hold_twiml.connect(
        agent.reach, q.url("whisper", call=session.call_sid, n=held.number),
        q.url("dialed", agent=agent.id, n=held.number), q.d.settings.agent_ring_seconds,
        said.say("queue_connecting"), said.locale)
    return Change(session.evolve(status=CallStatus.CONNECTING), [*events, ringing], reply)


@bp.post("/whisper")
def whisper() -> Response:
    """The agent answered (this request is on their leg): tell them why the caller called."""
    q = queues()
    customer = request.args.get("call", "")
    session = q.d.sessions.load(customer) if customer else None
    if session is None:
        return twiml(hold_twiml.whisper("Incoming call from the queue."))
    routing = session.routing
    leg = routing.callback if routing is not None else None
    record = _open_ticket(q, session)
    ticket = str((routing.ticket if routing else None) or record.get("ticket_id") or "") or None
    # A callback's leg says nothing itself: its session carries what was said on the call
    # that asked for it. Words on other calls of the ticket come from the bridge's record.
    words = session.words if leg is not None else told(q.d.sessions.events(customer))
    this_call = {customer, leg.origin_call if leg is not None else ""}
    earlier = [str(s.get("said", "")) for s in record.get("story", [])
               if s.get("call") not in this_call]
    said = whisper_text(routing, words, ticket, earlier, session.language)
    held = q.store.assignment(customer)
    agent = held.agent if held else ""
    q.d.sessions.note(customer, f"whisper:{request.args.get('n', '')}", [q.event(
        EventKind.AGENT, f"Agent {agent} answered and heard: {said}", agent=agent,
        state="connected", whisper=said, ticket=ticket)])
    return twiml(hold_twiml.whisper(said))


def _open_ticket(q: Queues, session: CallSession) -> dict[str, Any]:
    """The tickets bridge's record of the caller's open ticket on this call's issue, if any."""
    if not session.caller or session.routing is None:
        return {}
    return open_ticket(q.d.redis, session.caller, session.routing.issue) or {}


@bp.post("/dialed")
def dialed() -> Response:
    """The agent's Dial ended: after a conversation the agent wraps up and the caller may get
    the survey; unanswered, the agent is set unavailable and the caller goes back in line,
    keeping their place, for the next agent."""
    call_sid = call_sid_of(request.form)
    q = queues()
    agent_id = request.args.get("agent", "")
    status = request.form.get("DialCallStatus", "")
    duration = request.form.get("DialCallDuration", "")
    number = request.args.get("n", "")
    outcome = _end_of_dial(q, agent_id, call_sid, status, duration)

    def decide(step: Step) -> Change | str:
        session = step.session
        if session is None or outcome is None:
            return empty()
        return outcome(session)

    return twiml(q.d.sessions.run(call_sid, f"dialed:{number}", decide))


def _end_of_dial(q: Queues, agent_id: str, call_sid: str, status: str,
                 duration: str) -> Callable[[CallSession], Change | str] | None:
    """Free or sideline the agent (once: only while they hold this call) and say what the
    caller's step becomes; None when the call has already moved on (escalated, say)."""
    agent = q.agents.get(agent_id)
    ended = dial_ended(agent_id, status, duration, agent.wrap_up if agent else 0)
    if not _release(q, agent_id, call_sid, ended.release) or ended.caller is None:
        return None
    if ended.talk_seconds is not None:
        routing = _routing(q, call_sid) or Routing()
        q.stats.record_handle_time(routing.line_queue, ended.talk_seconds)
    caller = ended.caller
    return lambda session: _caller_step(q, session, caller, caller.details)


def _routing(q: Queues, call_sid: str) -> Routing | None:
    session = q.d.sessions.load(call_sid)
    return session.routing if session else None


def _revision(q: Queues, call_sid: str) -> int:
    """The call's session revision, numbering a step sent from outside a session step."""
    session = q.d.sessions.load(call_sid)
    return session.rev if session else 0


def _phrases(q: Queues, session: CallSession | None) -> Phrases:
    """What the caller hears: their menu version's phrases in their language."""
    return phrases_for(q.d.redis, session.menu_version if session else "",
                       session.language if session else "")


def _twilio_queue(routing: Routing) -> str:
    """Twilio's holding queue: a pen only (Hotline picks who is next and pulls them out by
    a REST redirect), named after the caller's queue."""
    return routing.line_queue[:64]
