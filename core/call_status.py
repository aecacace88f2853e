"""Where a call stands in Hotline, as its session records it.

These are Hotline's own statuses, not Twilio's: a status callback's `CallStatus` (queued,
ringing, completed, ...) and a Dial's `DialCallStatus` are Twilio's vocabulary.
"""

from __future__ import annotations

from enum import StrEnum


class CallStatus(StrEnum):
    IN_MENU = "in-menu"
    """Answering the menu's questions (every call starts here)."""
    ROUTED = "routed"
    """A menu outcome was reached (or a callback was answered): on the way to its route."""
    QUEUED = "queued"
    """Joined a line: on hold or being given to an agent."""
    CALLBACK_REQUESTED = "callback-requested"
    """Pressed the callback key on hold; leaving the line for the offer."""
    ABANDONED = "abandoned"
    """Hung up while waiting in a line."""
    CONNECTING = "connecting"
    """An agent's phone is ringing for this call."""
    TALKED = "talked"
    """The conversation with an agent is over."""
    ESCALATED = "escalated"
    """An agent moved the call to another tier, queue or skill set."""
    ENDED = "ended"
    """Twilio reported the call over."""
