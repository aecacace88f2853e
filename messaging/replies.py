"""What Hotline answers a caller's text message, and what the message does: cancel or move
their callback (LATER offers the next times; a number replied picks one), tell where their
requests stand, stop or restart every text to the number, or a short help. Decided on the
callbacks' records and the caller's open tickets; the webhook only translates."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from callbacks.booking import NotChangeable, cancel, reschedule
from callbacks.promise import booked_when
from callbacks.record import Callback
from callbacks.runtime import Runtime
from callbacks.slots import next_slots, zone
from core import keys
from core.caller_record import OpenTicket
from core.errors import InvalidInput
from core.phone import parse_caller
from core.phrases import PhraseBook, Phrases, phrase_book
from core.redis_values import text
from core.texting import opt_in, opt_out, opted_out
from messaging.keywords import Asked, Command, read
from standing.lookup import open_tickets, standings
from standing.status import told

OFFER_TTL = 3600
"""Seconds the times offered after LATER may be picked by number."""

RATE_WINDOW = 3600
"""Seconds over which a number's replies are counted against the limit."""


@dataclass(frozen=True)
class Answer:
    """The reply to send back ("" for none), its language, and the call whose log (so whose
    ticket) the exchange joins ("" when the number has no callback or open ticket)."""

    reply: str
    language: str
    call: str


@dataclass(frozen=True)
class Inbox:
    """What answering a text needs: the callbacks' runtime and the active menu's phrases."""

    rt: Runtime
    active_book: Callable[[], PhraseBook]


@dataclass(frozen=True)
class _Caller:
    """What is known of the texting number: its pending callbacks and open tickets."""

    phone: str
    pending: list[Callback]
    tickets: list[OpenTicket]

    @property
    def call(self) -> str:
        if self.pending:
            return self.pending[0].origin_call
        return str(self.tickets[0].get("call") or "") if self.tickets else ""


def answer(inbox: Inbox, phone: str, body: str) -> Answer:
    """Do what the text from `phone` asks and say what was done, in the caller's language."""
    rt, asked = inbox.rt, read(body)
    caller = _Caller(phone, sorted(rt.store.pending_for_phone(phone), key=lambda c: c.due_at),
                     open_tickets(rt.redis, phone))
    words = _words(inbox, caller, asked)
    if asked.command is Command.STOP:
        opt_out(rt.redis, phone)
        return Answer(words.say("sms_stopped"), words.language, caller.call)
    if asked.command is Command.START:
        opt_in(rt.redis, phone)
        return Answer(words.say("sms_started"), words.language, caller.call)
    if _over_limit(rt, phone):
        return Answer("", words.language, caller.call)
    said = _act(rt, caller, asked, words)
    quiet = opted_out(rt.redis, phone)  # what they asked is done; no text goes back
    return Answer("" if quiet else said, words.language, caller.call)


def _act(rt: Runtime, caller: _Caller, asked: Asked, words: Phrases) -> str:
    if asked.command is Command.CANCEL:
        return _cancel(rt, caller, words)
    if asked.command is Command.LATER:
        return _offer_later(rt, caller, words)
    if asked.command is Command.CHOICE:
        return _pick(rt, caller, asked.choice, words)
    if asked.command is Command.STATUS:
        return _status(rt, caller, words)
    return words.say("sms_help")


def _cancel(rt: Runtime, caller: _Caller, words: Phrases) -> str:
    if not caller.pending:
        return words.say("sms_no_callback")
    record = caller.pending[0]
    try:
        cancel(rt, record.id, "by the caller's text")
    except NotChangeable:
        return words.say("sms_too_late")
    return words.say("sms_cancelled")


def _offer_later(rt: Runtime, caller: _Caller, words: Phrases) -> str:
    if not caller.pending:
        return words.say("sms_no_callback")
    record = caller.pending[0]
    policy = rt.policy(record)
    now = rt.clock.now()
    slots = [s for s in next_slots(now, policy.zone, policy.hours, policy.settings.slots + 1)
             if s.timestamp() != record.due_at][:policy.settings.slots]
    if not slots:
        return words.say("sms_no_slots", when=booked_when(rt, record, words))
    offer = {"callback": record.id, "slots": [s.timestamp() for s in slots]}
    rt.redis.set(keys.sms_offer(caller.phone), json.dumps(offer), ex=OFFER_TTL)
    choices = "; ".join(words.say("sms_later_choice", key=n, when=words.time(s, now,
                                                                             policy.zone))
                        for n, s in enumerate(slots, start=1))
    return words.say("sms_later_offer", choices=choices)


def _pick(rt: Runtime, caller: _Caller, number: int, words: Phrases) -> str:
    raw = rt.redis.get(keys.sms_offer(caller.phone))
    if raw is None:
        return words.say("sms_help")
    offer = json.loads(text(raw))
    slots: list[float] = offer["slots"]
    if not 1 <= number <= len(slots):
        return words.say("sms_bad_choice")
    at = datetime.fromtimestamp(slots[number - 1], rt.clock.now().tzinfo)
    try:
        moved = reschedule(rt, str(offer["callback"]), at, "by the caller's text")
    except NotChangeable:
        return words.say("sms_too_late")
    except InvalidInput:  # the time passed while they chose
        return words.say("sms_bad_choice")
    rt.redis.delete(keys.sms_offer(caller.phone))
    if moved is None:
        return words.say("sms_no_callback")
    return words.say("sms_moved", when=booked_when(rt, moved, words))


def _status(rt: Runtime, caller: _Caller, words: Phrases) -> str:
    if not caller.tickets:
        return words.say("sms_no_request")
    now = rt.clock.now()
    number = parse_caller(caller.phone, rt.settings.default_region)
    tz = zone(number.timezone if number else None, rt.settings.callbacks.timezone)
    found = standings(rt.redis, caller.tickets, caller.pending, words, now,
                      lambda callback: booked_when(rt, callback, words))
    return " ".join(told(words, t.standing, now, tz) for t in found)



def _words(inbox: Inbox, caller: _Caller, asked: Asked) -> Phrases:
    """The caller's language: the keyword's, else that of their callback or latest ticket;
    the phrases of the menu version those were made on, else of the active menu."""
    version, language = "", ""
    if caller.pending:
        version, language = caller.pending[0].menu_version, caller.pending[0].language
    elif caller.tickets:
        newest = caller.tickets[0]
        version = str(newest.get("menu_version") or "")
        language = str(newest.get("language") or "")
    book = phrase_book(inbox.rt.redis, version) if version else inbox.active_book()
    return book.phrases(asked.language or language)


def _over_limit(rt: Runtime, phone: str) -> bool:
    """Whether this text is past the number's replies in the window (it gets none)."""
    pipe = rt.redis.pipeline(transaction=True)
    pipe.set(keys.sms_replies(phone), 0, ex=RATE_WINDOW, nx=True)  # the window opens
    pipe.incr(keys.sms_replies(phone))
    count = int(pipe.execute()[1])
    return count > rt.settings.messaging.replies_per_hour

