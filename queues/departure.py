"""What happens when a caller leaves the hold line (Twilio's QueueResult) or an agent's Dial
ends (DialCallStatus): the caller's next step, the agent's new state and the event's words.
Pure: the webhooks read the session and the assignment, call these, and commit the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from core.call_status import CallStatus
from core.events import EventKind
from core.form_fields import whole_number

TWILIO_QUEUE_FAILURES = frozenset({"queue-full", "error", "system-shutdown"})
"""QueueResult values for a caller Twilio could not keep on hold."""


class Next(StrEnum):
    """Where the caller goes from this step."""

    HANG_UP = "hang-up"
    """An unknown call: end it."""
    END = "end"
    """Nothing more to say (the caller has gone)."""
    CONNECT = "connect"
    """Bridge to the agent who holds the call."""
    CALLBACK_OFFER = "callback-offer"
    """The callback offer, from `offer_from`."""
    REJOIN = "rejoin"
    """Back into the line, keeping their place, without a new callback offer."""
    AFTER_CALL = "after-call"
    """What follows a talk with an agent (the survey, or goodbye)."""


@dataclass(frozen=True)
class Release:
    """The agent's new state once their call is over: `then` (available, wrap-up, offline),
    why, and whether the next task (after `wrap_up` seconds) follows."""

    then: str
    reason: str
    dispatch: bool = True
    wrap_up: int = 0


@dataclass(frozen=True)
class CallerStep:
    """The caller's step: where next, the session's new status (None: unchanged), the event's
    words (empty: none), details and kind, and whether the call leaves the line (and the
    event tells whether the line still held it, known only once it is removed)."""

    next: Next
    status: CallStatus | None = None
    words: str = ""
    details: dict[str, object] = field(default_factory=dict)
    kind: EventKind = EventKind.QUEUE
    leave_line: bool = False
    tells_removed: bool = False
    offer_from: str = ""

    @property
    def changes(self) -> bool:
        """The step changes the session (and so numbers the next step one higher)."""
        return self.status is not None or bool(self.words)


@dataclass(frozen=True)
class HoldExit:
    """Why the caller left the hold line, decided: the agent to free first (if any), then the
    caller's step."""

    caller: CallerStep
    release: Release | None = None


@dataclass(frozen=True)
class DialEnd:
    """An agent's Dial ended: the release to try, and the caller's step if it took (None: the
    call has moved on, or the caller hung up while the agent's phone rang)."""

    release: Release
    caller: CallerStep | None
    talk_seconds: int | None = None


def left_hold(result: str, status: CallStatus | None, live: bool, waited: str) -> HoldExit:
    """The caller's hold ended with QueueResult `result`; `status` is the session's (None: an
    unknown call), `live` whether an agent still holds the call, `waited` Twilio's QueueTime."""
    if status is None:
        return HoldExit(CallerStep(Next.HANG_UP))
    if result == "hangup":
        release = Release("available", "caller hung up before connecting") if live else None
        seconds = _seconds(waited)
        return HoldExit(CallerStep(
            Next.END, CallStatus.ABANDONED, "Caller hung up while waiting"
            + (f" after {seconds} s" if seconds is not None else ""),
            {"abandoned": True, "waited": seconds}, leave_line=True, tells_removed=True), release)
    if status is CallStatus.CALLBACK_REQUESTED:
        return HoldExit(CallerStep(Next.CALLBACK_OFFER, CallStatus.ROUTED, leave_line=True,
                                   offer_from="hold"))
    if live:
        return HoldExit(CallerStep(Next.CONNECT))
    if result in TWILIO_QUEUE_FAILURES:  # Twilio could not hold them: offer a callback
        # Their first arrival stays on the routing, so a later line keeps their place.
        return HoldExit(CallerStep(
            Next.CALLBACK_OFFER, words=f"Twilio's queue failed ({result}); offering a callback",
            details={"queue_result": result}, leave_line=True, offer_from="long-wait"))
    return HoldExit(CallerStep(Next.REJOIN))


def dial_ended(agent_id: str, status: str, duration: str, wrap_up: int) -> DialEnd:
    """The Dial to agent `agent_id` (whose wrap-up is `wrap_up` seconds) ended with
    DialCallStatus `status` after DialCallDuration `duration`."""
    if status == "completed":
        seconds = _seconds(duration)
        return DialEnd(
            Release("wrap-up" if wrap_up else "available", "after call", wrap_up=wrap_up),
            CallerStep(Next.AFTER_CALL, CallStatus.TALKED,
                       f"Call with agent {agent_id} ended{_lasting(seconds)}",
                       {"agent": agent_id, "state": "ended", "talk_seconds": seconds},
                       EventKind.AGENT),
            seconds)
    if status == "canceled":  # the caller hung up while the agent's phone rang
        return DialEnd(Release("available", "caller hung up"), None)
    return DialEnd(
        Release("offline", f"missed call ({status})", dispatch=False),
        CallerStep(Next.REJOIN, words=f"Agent {agent_id} did not answer ({status}); set "
                   "unavailable, trying the next agent",
                   details={"agent": agent_id, "state": "missed", "dial_status": status},
                   kind=EventKind.AGENT))


def _seconds(value: str) -> int | None:
    """Whole seconds from one of Twilio's duration fields; None when Twilio did not say."""
    return whole_number(value)


def _lasting(seconds: int | None) -> str:
    """How long a talk lasted, from Twilio's DialCallDuration (whole seconds, rounded down);
    nothing when Twilio did not say."""
    if seconds is None:
        return ""
    return " after less than a second" if seconds == 0 else f" after {seconds} s"
