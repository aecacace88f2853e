"""Text messages about a callback (its confirmation, an attempt that missed the caller), noted
on the call that asked for the callback so they join its ticket's transcript."""

from __future__ import annotations

from callbacks.attempt import utc
from callbacks.record import Callback, State
from callbacks.runtime import Runtime
from core.phrases import phrases_for
from core.texting import Text, send_text


def text_caller(rt: Runtime, record: Callback, body: str, purpose: str) -> bool:
    """Send `body` to the callback's number, noted on its call as `purpose` (confirmation,
    missed...); False when not sent (`core.texting.send_text`)."""
    sender = record.from_number or rt.settings.messaging.from_number or ""
    message = Text(record.phone, sender, body, purpose, record.origin_call,
                   {"callback_id": record.id})
    return send_text(rt.redis, rt.telephony, rt.sessions, message, rt.clock.now())


def tell_missed(rt: Runtime, record: Callback) -> bool:
    """An attempt missed the caller: when the next one comes (and how to move or cancel it),
    or, after the last, that they may call again."""
    words = phrases_for(rt.redis, record.menu_version, record.language)
    if record.state is State.RETRY_WAIT:
        when = words.time(utc(record.next_try), rt.clock.now(), rt.policy(record).zone)
        return text_caller(rt, record, words.say("sms_missed_retry", when=when), "missed")
    return text_caller(rt, record, words.say("sms_missed_final"), "missed")
