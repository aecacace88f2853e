"""An attempt of a callback: its id, its exactly-once guard, and its lease.

An attempt is `<callback id>-<n>`; its REST call is guarded by the key
`keys.callback_attempt(attempt)` (`placing`, then `placed:<CallSid>`, `failed` or `abandoned`).
The dialer starts attempts and `outcomes` ends them; both build on these.
"""

from __future__ import annotations

from datetime import UTC, datetime

from callbacks.record import Callback, State
from callbacks.runtime import Move, Runtime
from core import keys

ATTEMPT_KEY_TTL = 7 * 24 * 3600
"""Seconds an attempt's guard is kept (far longer than any attempt can last)."""


def callback_of(attempt: str) -> str:
    """The callback id an attempt id (`<callback id>-<n>`) belongs to."""
    return attempt.rsplit("-", 1)[0]


def placed(rt: Runtime, attempt: str, call_sid: str) -> None:
    """The attempt's call exists (the REST answer, or Twilio's first status callback)."""
    guard = keys.callback_attempt(attempt)
    pipe = rt.redis.pipeline(transaction=False)
    pipe.set(guard, f"placed:{call_sid}", ex=ATTEMPT_KEY_TTL)
    pipe.zadd(keys.callbacks_placed(), {attempt: rt.now()}, nx=True)
    pipe.execute()

    def record_call(r: Callback) -> Move | None:
        if r.attempt != attempt or r.state is not State.DIALING or r.customer_call:
            return None
        return Move(State.DIALING, f"Callback attempt {r.attempts} placed to {r.phone}",
                    lease=lease_of(rt, r), changes={"customer_call": call_sid},
                    details={"attempt": attempt, "call": call_sid, "result": "placed"})

    rt.change(callback_of(attempt), record_call)


def lease_of(rt: Runtime, record: Callback) -> float:
    """When the attempt under way loses its lease (kept as it is by progress notes)."""
    score = rt.redis.zscore(keys.callbacks_dialing(), record.id)
    return float(score) if score is not None else rt.now() + rt.settings.callbacks.lease


def utc(epoch: float) -> datetime:
    """An epoch time as an aware UTC datetime."""
    return datetime.fromtimestamp(epoch, UTC)
