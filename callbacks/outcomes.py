"""What becomes of an attempt: answered by a person (bridged), by a machine (a short voicemail
and a retry), busy, not answered or failed (a retry with backoff inside the caller's allowed
hours, or, with no attempts left, a failure and a follow-up task on the ticket)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from callbacks.attempt import ATTEMPT_KEY_TTL, callback_of, lease_of, placed, utc
from callbacks.record import Callback, State
from callbacks.runtime import Move, Runtime
from callbacks.slots import next_dial_time
from callbacks.texts import tell_missed
from core import keys
from core.call_status import CallStatus
from core.caller_words import told
from core.clock import isoformat
from core.events import Event, EventKind
from core.redis_values import text
from core.routing import CallbackLeg, Routing
from core.session import CallSession

MACHINE_ANSWERS = ("machine_start", "machine_end_beep", "machine_end_silence",
                   "machine_end_other", "fax")
"""Twilio's AnsweredBy values for anything but a person (`human` and `unknown` are bridged:
a person wrongly sent to voicemail is worse than an agent hearing a machine)."""

FINAL_STATUSES = {"completed", "busy", "no-answer", "failed", "canceled"}
RESULTS = {"busy": "busy", "no-answer": "no answer", "failed": "failed",
           "canceled": "cancelled", "completed": "ended before anyone was connected"}


@dataclass(frozen=True)
class Pickup:
    """What to do with an answered callback call: `connect` (agent or queue), `voicemail`, or
    `hang_up` (a stale attempt)."""

    action: str
    record: Callback | None = None


def answered(rt: Runtime, attempt: str, call_sid: str, answered_by: str) -> Pickup:
    """The customer's phone was answered; by a person: connect; by a machine: voicemail."""
    if answered_by in MACHINE_ANSWERS:
        attempt_over(rt, attempt, f"answered by a machine ({answered_by}); voicemail left")
        return Pickup("voicemail", rt.store.get(callback_of(attempt)))

    def connect(r: Callback) -> Move | None:
        if r.attempt != attempt or r.state is not State.DIALING:
            return None
        to = f"agent {r.agent}" if r.agent else f"queue {r.queue}"
        return Move(State.CONNECTED, f"Callback answered by a person; connecting to {to}",
                    changes={"connected_at": rt.now(), "customer_call": call_sid,
                             "last_result": "answered"},
                    details={"attempt": attempt, "call": call_sid, "agent": r.agent,
                             "answered_by": answered_by or "human"})

    connected = rt.change(callback_of(attempt), connect)
    if connected is None:
        current = rt.store.get(callback_of(attempt))
        if current is not None and current.attempt == attempt and \
                current.state is State.CONNECTED:
            return Pickup("connect", current)  # Twilio retried the answer webhook
        return Pickup("hang_up", current)
    open_session(rt, connected, call_sid)
    return Pickup("connect", connected)


def status(rt: Runtime, attempt: str, call_sid: str, call_status: str,
           answered_by: str = "") -> None:
    """A status callback of an attempt's call drives the state machine."""
    if call_status in ("queued", "initiated", "ringing", "in-progress", "answered"):
        placed(rt, attempt, call_sid)
    if call_status == "ringing":
        _note(rt, attempt, "Callback ringing", "ringing")
    elif call_status == "completed":
        _completed(rt, attempt)
    elif call_status in FINAL_STATUSES:
        attempt_over(rt, attempt, RESULTS[call_status])


def attempt_over(rt: Runtime, attempt: str, result: str) -> Callback | None:
    """The attempt ended without a connection: release its agent, then retry or give up."""
    held: list[str] = []

    def decide(r: Callback) -> Move | None:
        if r.attempt != attempt or r.state is not State.DIALING:
            return None
        held[:] = [r.agent]
        return _retry_or_fail(rt, r, result)

    moved = rt.change(callback_of(attempt), decide)
    if moved is not None:
        if held[0]:
            rt.queues.release(held[0], moved.task, rt.now())
        if moved.state is State.RETRY_WAIT:
            rt.schedule(moved.id, utc(moved.next_try))
        if rt.settings.messaging.missed:
            tell_missed(rt, moved)
    return moved


def lost_attempt(rt: Runtime, callback_id: str) -> Callback | None:
    """The attempt's lease ran out. Placed (Twilio saw it, or the REST call answered): it is
    over, retry. Never placed (the worker died before or during the REST call and no status
    callback ever came): it does not count; back to its place in line at once."""
    record = rt.store.get(callback_id)
    if record is None or record.state is not State.DIALING:
        return None
    guard = text(rt.redis.get(keys.callback_attempt(record.attempt)) or b"")
    if guard.startswith("placed:") or guard == "failed":
        return attempt_over(rt, record.attempt, "no final status before its lease ran out")
    rt.redis.set(keys.callback_attempt(record.attempt), "abandoned", ex=ATTEMPT_KEY_TTL)
    attempt = record.attempt

    def back_in_line(r: Callback) -> Move | None:
        if r.attempt != attempt or r.state is not State.DIALING:
            return None
        return Move(State.SCHEDULED, "Callback attempt never went out (the worker stopped); "
                    "back in its place in line", due=rt.now(),
                    changes={"attempts": r.attempts - 1, "agent": ""},
                    details={"attempt": attempt, "result": "not placed"})

    moved = rt.change(callback_id, back_in_line)
    if moved is not None:
        _release(rt, record)
        rt.schedule(callback_id, rt.clock.now())
    return moved


def _retry_or_fail(rt: Runtime, r: Callback, result: str) -> Move:
    details = {"attempt": r.attempt, "result": result}
    if r.attempts >= rt.settings.callbacks.max_attempts:
        return Move(State.FAILED, f"Callback failed after {r.attempts} attempts: {result}",
                    changes={"finished_at": rt.now(), "last_result": result, "agent": ""},
                    details=details,
                    follow_up=f"Follow-up: call {r.phone} about {r.issue}; the promised "
                              f"callback failed after {r.attempts} attempts")
    policy = rt.policy(r)
    after = rt.clock.now() + timedelta(seconds=policy.backoff(r.attempts))
    when = next_dial_time(after, policy.zone, policy.hours)
    return Move(State.RETRY_WAIT,
                f"Callback attempt {r.attempts}: {result}; next try at {isoformat(when)}",
                due=when.timestamp(),
                changes={"last_result": result, "agent": "", "next_try": when.timestamp()},
                details={**details, "next_try": isoformat(when)})


def _completed(rt: Runtime, attempt: str) -> None:
    def done(r: Callback) -> Move | None:
        if r.attempt != attempt or r.state is not State.CONNECTED:
            return None
        return Move(State.COMPLETED, "Callback call ended", changes={"finished_at": rt.now()},
                    details={"attempt": attempt})

    if rt.change(callback_of(attempt), done) is None:
        attempt_over(rt, attempt, RESULTS["completed"])


def _note(rt: Runtime, attempt: str, said: str, result: str) -> None:
    rt.change(callback_of(attempt), lambda r: Move(
        r.state, said, lease=lease_of(rt, r), details={"attempt": attempt, "result": result})
        if r.attempt == attempt and r.state is State.DIALING else None)


def _release(rt: Runtime, record: Callback) -> None:
    if record.agent:
        rt.queues.release(record.agent, record.task, rt.now())


def open_session(rt: Runtime, record: Callback, call_sid: str) -> None:
    """A session for the customer's new call, copied from the original call (language, caller,
    routing, what the caller told) as the callback's leg: the queues side connects it and
    whispers the caller's words, the tickets bridge puts the leg on the original call's
    ticket."""
    origin = rt.sessions.load(record.origin_call)
    routing = (origin.routing if origin else None) or Routing(issue=record.issue)
    routing = routing.evolve(callback=CallbackLeg(record.id, record.origin_call),
                             queue=record.queue, tier=record.tier, skills=record.skills,
                             priority=record.priority)
    session = CallSession(
        call_sid=call_sid, caller=record.phone,
        region=origin.region if origin else None, timezone=record.timezone or None,
        called=record.from_number, language=record.language,
        menu_version=origin.menu_version if origin else "", routing=routing,
        words=told(rt.sessions.events(record.origin_call)) if origin else [],
        status=CallStatus.ROUTED, started_at=isoformat(rt.clock.now()))
    started = Event(rt.clock.now(), EventKind.CALL, "Callback call answered", {
        "event": "started", "callback_id": record.id, "origin_call": record.origin_call})
    rt.sessions.commit(session, [started], "callback-answered", "")
