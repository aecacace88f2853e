"""Changing a booked callback from outside the call: cancelled by the caller or the API,
moved to another time by the API (only to a time the caller may be dialled)."""

from __future__ import annotations

from datetime import datetime

from callbacks.record import Callback, Mode, State
from callbacks.runtime import Move, Runtime
from callbacks.slots import may_dial
from core.clock import isoformat
from core.errors import HotlineError, InvalidInput

CHANGEABLE = (State.SCHEDULED, State.RETRY_WAIT)


class NotChangeable(HotlineError):
    """The callback is being dialled, connected or finished: it can no longer be changed."""

    def __init__(self, record: Callback) -> None:
        super().__init__(f"callback {record.id} is {record.state.value}; only a scheduled "
                         "callback or one waiting to retry can be changed")
        self.record = record


def cancel(rt: Runtime, callback_id: str, why: str) -> Callback | None:
    """Cancel a callback not yet being dialled (it leaves the virtual queue too); None when
    there is no such callback, NotChangeable when it is too late."""
    def decide(r: Callback) -> Move | None:
        if r.state not in CHANGEABLE:
            raise NotChangeable(r)
        return Move(State.CANCELLED, f"Callback cancelled {why}",
                    changes={"finished_at": rt.now()})

    moved = rt.change(callback_id, decide)
    if moved is not None:
        rt.queues.abandon(moved.task)
    return moved


def reschedule(rt: Runtime, callback_id: str, at: datetime, why: str) -> Callback | None:
    """Move the callback to `at` (a time slot from now on); refused with the field named when
    `at` is past or outside the caller's allowed hours."""
    if at <= rt.clock.now():
        raise InvalidInput("at", "must be in the future")

    def decide(r: Callback) -> Move | None:
        if r.state not in CHANGEABLE:
            raise NotChangeable(r)
        policy = rt.policy(r)
        if not policy.hours.line_open(at):
            raise InvalidInput("at", "the line is closed then (its opening hours)")
        if not may_dial(at, policy.zone, policy.hours):
            raise InvalidInput("at", f"outside the caller's allowed hours in {policy.zone.key}")
        return Move(State.SCHEDULED, f"Callback moved to {isoformat(at)} {why}",
                    due=at.timestamp(),
                    changes={"mode": Mode.SLOT, "due_at": at.timestamp(),
                             "arrived_at": at.timestamp(), "next_try": 0.0})

    moved = rt.change(callback_id, decide)
    if moved is not None:
        rt.queues.abandon(moved.task)
        rt.schedule(moved.id, at)
    return moved
