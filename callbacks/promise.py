"""Turning a caller's choices into a promised callback: the record, its schedule, and the
optional SMS confirmation. A second promise for the same number and issue updates the first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callbacks.record import Callback, Mode
from callbacks.runtime import Runtime
from callbacks.slots import next_dial_time, zone
from callbacks.store import Requested
from callbacks.texts import text_caller
from callbacks.transcript import callback_event, copy_to_call
from core.phrases import ENGLISH, Phrases, phrases_for
from core.routing import Routing
from core.session import CallSession

TRANSCRIPT_WORDS = ENGLISH.phrases("en")
"""How the call's transcript (read by agents, not callers) says a time."""


@dataclass(frozen=True)
class Choice:
    """What the caller chose: when (`due_at` for a slot) and the number to call."""

    mode: Mode
    phone: str
    due_at: float = 0.0


def when_words(choice: Choice, now: datetime, tz_name: str,
               said: Phrases = TRANSCRIPT_WORDS, dial_from: datetime | None = None) -> str:
    """When the callback will come, in the words of `said` ("tomorrow at 9 in the morning");
    an ASAP callback asked for outside the caller's dialling hours says from when
    (`dial_from`, the next time they may be called), since nobody calls before then."""
    tz = zone(tz_name, "UTC")
    if choice.mode is Mode.ASAP:
        if dial_from is not None and dial_from > now:
            return said.say("offer_asap_from", when=said.time(dial_from, now, tz))
        return said.say("offer_asap")
    return said.time(datetime.fromtimestamp(choice.due_at, now.tzinfo), now, tz)


def booked_when(rt: Runtime, record: Callback, said: Phrases) -> str:
    """When a booked callback comes, in the words of `said`, as it was promised: an ASAP one
    outside the caller's dialling hours says from when."""
    now = rt.clock.now()
    policy = rt.policy(record)
    return when_words(Choice(record.mode, record.phone, record.due_at), now,
                      record.timezone, said, next_dial_time(now, policy.zone, policy.hours))


def promise(rt: Runtime, session: CallSession, choice: Choice, tz_name: str) -> Requested:
    """Promise the callback (or update the pending one), schedule it, confirm by SMS."""
    record = _record(rt, session, choice, tz_name)
    now = rt.clock.now()
    policy = rt.policy(record)
    dial_from = next_dial_time(now, policy.zone, policy.hours)
    said = when_words(choice, now, tz_name, dial_from=dial_from)
    event = callback_event(now, record, f"Callback promised {said} to {choice.phone}",
                           mode=choice.mode.value, due=record.due_at)
    requested = rt.store.request(record, event)
    copy_to_call(rt.store, rt.sessions, requested.callback)
    due = requested.callback
    rt.schedule(due.id, datetime.fromtimestamp(max(due.due_at, now.timestamp()), now.tzinfo))
    if rt.settings.callbacks.sms:
        caller = phrases_for(rt.redis, session.menu_version, session.language)
        text_caller(rt, due, caller.say("promised_sms", number=due.phone,
                                        when=when_words(choice, now, tz_name, caller,
                                                        dial_from)), "confirmation")
    return requested


def _record(rt: Runtime, session: CallSession, choice: Choice, tz_name: str) -> Callback:
    routing = session.routing or Routing()
    now = rt.now()
    due_at = choice.due_at if choice.mode is Mode.SLOT else now
    arrived = _arrived_at(routing, session, now) if choice.mode is Mode.ASAP else due_at
    return Callback(
        id=rt.store.new_id(), phone=choice.phone, issue=routing.issue,
        queue=routing.line_queue, tier=routing.tier, skills=routing.skills,
        priority=routing.priority, language=session.language,
        origin_call=session.call_sid, mode=choice.mode, due_at=due_at, arrived_at=arrived,
        timezone=tz_name, created_at=now,
        from_number=rt.settings.callbacks.caller_id or session.called,
        menu_version=session.menu_version, line=session.called)


def _arrived_at(routing: Routing, session: CallSession, now: float) -> float:
    """When the caller first joined the line: the queue's `queued_at` (a caller who left the
    hold queue keeps their place), else the call's start."""
    if routing.queued_at is not None and routing.queued_at > 0:
        return routing.queued_at
    started = session.started_at
    if started:
        try:
            return datetime.fromisoformat(started.replace("Z", "+00:00")).timestamp()
        except ValueError:
            try:
                return float(started)
            except ValueError:
                pass
    return now
