"""Text messages to a caller: whether their number takes them (one that replied STOP gets none
of any kind until it replies START; messaging writes that, every sender asks here), and the one
way a text is sent, noted on the log of the call it is about so it joins that call's ticket. A
text is a courtesy: failing to send one never fails what it is about."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis

from core import keys
from core.events import Event, EventKind
from core.session import SessionStore
from core.telephony import Telephony, TelephonyError


def opt_out(client: redis.Redis, e164: str) -> None:
    client.sadd(keys.sms_opted_out(), e164)


def opt_in(client: redis.Redis, e164: str) -> None:
    client.srem(keys.sms_opted_out(), e164)


def opted_out(client: redis.Redis, e164: str) -> bool:
    """Whether `e164` replied STOP (and not START since)."""
    return bool(client.sismember(keys.sms_opted_out(), e164))


@dataclass(frozen=True)
class Text:
    """A text to send: to whom, from which of our numbers, what, why (confirmation, missed,
    solved...), the call it is about ("" for none) and details for the transcript."""

    to: str
    sender: str
    body: str
    purpose: str
    call: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def send_text(client: redis.Redis, telephony: Telephony, sessions: SessionStore,
              message: Text, at: datetime) -> bool:
    """Send `message` unless its number opted out; noted on its call's log. False when not
    sent (opted out, no number to send from, or refused)."""
    if not message.sender or opted_out(client, message.to):
        return False
    try:
        sid = telephony.send_sms(message.to, message.sender, message.body)
    except TelephonyError:
        return False
    if message.call:
        event = Event(at, EventKind.SMS, message.body,
                      {"direction": "outbound", "to": message.to, "from": message.sender,
                       "purpose": message.purpose, "message_sid": sid, **message.details})
        # One note per text sent: its own key, as a mock (or a retried send) may repeat a sid.
        sessions.note(message.call, f"sms:{message.purpose}:{uuid.uuid4().hex}", [event])
    return True
