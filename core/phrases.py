"""Every sentence Hotline itself says to a caller, by name: the shipped English catalogue, which
a menu's `messages:` overrides and extends per language. The IVR publishes each menu version's
phrase book (all its languages, and a caller-facing name per issue) beside the tree; callbacks
and queues read it by the call's menu version, never the tree itself."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import orjson
import redis

from core.process_cache import ProcessCache
from core.published_menus import phrase_book_source
from core.spoken import spoken_time, spoken_wait

DEFAULTS: Mapping[str, str] = {
    # The menu.
    "not_understood": "Sorry, I didn't get that.",
    "no_input": "Sorry, I didn't hear anything.",
    "connecting": "Thank you. Connecting you to the right team now.",
    "voicemail": "Please leave your message after the tone, then hang up or press the pound key.",
    "goodbye": "Thank you for calling. Goodbye.",
    "confirm": "{option}, is that right? Press 1 or say yes; 2 or say no.",
    "outage": "We have a service outage and are already working on it.",
    # Joining the line and holding.
    "queue_join": "All of our agents are helping other callers. Please stay on the line.",
    "queue_join_no_agents": ("No one can take your call right now. Please stay on the line to "
                             "keep your place."),
    "queue_connecting": "Connecting you to an agent now.",
    "hold_next": "An agent will be with you shortly.",
    "hold_no_agents": "No one can take your call right now.",
    "hold_position": "You are number {position} in line.",
    "hold_wait": "The expected wait is {wait}.",
    "hold_offer": ("To be called back instead, without losing your place in line, "
                   "press {key}."),
    "hold_wrong_key": ("That key does nothing while you wait. To be called back instead, "
                       "press {key}."),
    # The callback offer.
    "offer_intro_hold": "You can hang up and we will call you back.",
    "offer_intro_long_wait": "The wait is long right now. We can call you back instead.",
    "offer_intro_no_agents": "No one can take your call right now. We can call you back.",
    "offer_intro_menu": "We can call you back.",
    "offer_choose": ("Press 1 to be called as soon as an agent is free; you keep your place in "
                     "line. Press 2 to choose a time. Press 9 to stay on the line."),
    "offer_slot": "Press {key} for {when}.",
    "offer_slot_zone": "{when}, {zone} time",
    "offer_no_slots": "There are no times free soon, so we will call you as soon as we can.",
    "offer_asap": "as soon as an agent is free",
    "offer_asap_from": "from {when}, as soon as an agent is free",
    "offer_not_understood": "Sorry, that was not one of the choices.",
    "offer_back_to_queue": "Let's keep your place in line.",
    "offer_pending": ("You already have a callback booked {when} on {number}. Press 1 to keep "
                      "it, or 2 to cancel it."),
    "offer_kept": "Your callback is still booked.",
    "offer_cancelled": "Your callback is cancelled.",
    # The number to call back, and the promise.
    "number_use_caller_id": ("Shall we call you on {number}? Press 1 for yes, or 2 for another "
                             "number."),
    "number_enter": "Please enter the number to call, with the area code, then press pound.",
    "number_too_short": "That number is too short.",
    "number_too_long": "That number is too long.",
    "number_emergency": "We cannot call back an emergency number.",
    "number_short_code": "We cannot call back a short code.",
    "number_premium_rate": "We cannot call back a premium-rate number.",
    "number_invalid": "That is not a valid phone number.",
    "number_confirm": ("We will call you {when} on {number}. Press 1 to confirm, or 2 to start "
                       "again."),
    "promised": "Thank you. We will call you {when}. You can hang up now. Goodbye.",
    "promised_sms": ("We will call you back {when} on {number}. Reply CANCEL to cancel it or "
                     "LATER to move it."),
    # Hotline calling the customer back.
    "callback_greeting": ("Hello, this is the callback you asked for about {issue}. Connecting "
                          "you now."),
    "callback_greeting_general": "Hello, this is the callback you asked for. Connecting you now.",
    "callback_voicemail": ("Hello, this is the callback you asked for. We will try again later. "
                           "Goodbye."),
    "callback_not_needed": "Sorry, this call is no longer needed. Goodbye.",
    # Where a caller's open tickets stand, told before the menu.
    "standing_ticket": "Your request {topic}, opened {opened}, is with {who}.",
    "standing_topic": "about {topic}",
    "standing_topic_general": "with us",
    "standing_our_team": "our team",
    "standing_waiting_on_us": "We are working on it.",
    "standing_waiting_on_you": "We are waiting for your reply.",
    "standing_callback": "We will call you back {when}.",
    "standing_choose_one": "To talk about it, press {key}. For something else, press {new}.",
    "standing_choose": "For your request {topic}, press {key}.",
    "standing_choose_new": "For something else, press {key}.",
    "standing_wrong_key": "Sorry, that was not one of the choices.",
    # Text messages: notes sent, and the answers to replies.
    "sms_missed_retry": ("We called you back but could not reach you. We will try "
                         "again {when}. Reply LATER to choose another time or CANCEL to cancel."),
    "sms_missed_final": ("We called you back but could not reach you. Please call us "
                         "again when it suits you."),
    "sms_solved": "Your request {topic} is solved. If anything is still wrong, just call us again.",
    "sms_cancelled": "Your callback is cancelled. Call us any time.",
    "sms_no_callback": "You have no callback booked with us. Call us any time.",
    "sms_too_late": "Your callback is already under way and can no longer be changed.",
    "sms_later_offer": "Reply with the number of the time that suits you: {choices}",
    "sms_later_choice": "{key} for {when}",
    "sms_no_slots": "There are no other times free soon, so your callback stays {when}.",
    "sms_moved": "Your callback is moved to {when}. Reply CANCEL to cancel it.",
    "sms_bad_choice": "Please reply with one of the numbers offered, or LATER for the times again.",
    "sms_no_request": "You have no open request with us. Call us any time.",
    "sms_stopped": "You will get no more texts from us. Reply START to get them again.",
    "sms_started": "You will get our texts again. Reply STOP to stop them.",
    "sms_help": ("Reply STATUS to hear where your request stands, CANCEL to "
                 "cancel your callback, LATER to move it, or STOP for no more texts."),
    # Recording the call (a menu's `recording:` policy).
    "recording_notice": "This call is recorded so that we can help you and improve our service.",
    "recording_opt_out": "If you do not want to be recorded, press {key} now.",
    "recording_declined": "All right, this call will not be recorded.",
    # Errors.
    "unknown_call": "Sorry, we could not find your call. Please call again.",
    "apology": "We're sorry, we can't take your call right now.",
    "apology_transfer": ("We're sorry, our phone menu is not available. Connecting you to our "
                         "team."),
}
"""The catalogue in English, the shipped default: a tree in English alone needs no `messages:`."""

DEFAULT_LANGUAGE = "en"
DEFAULT_LOCALE = "en-US"

BOOKS_CACHED = 64
"""Menu versions whose phrase book a process keeps."""
_BOOKS: ProcessCache[str, PhraseBook] = ProcessCache(BOOKS_CACHED)


def placeholders(text: str) -> set[str]:
    """The `{names}` a phrase fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@dataclass(frozen=True)
class Phrases:
    """The catalogue in one language, with the voice (locale) that says it."""

    language: str
    locale: str
    texts: Mapping[str, str] = field(default_factory=dict)
    issues: Mapping[str, str] = field(default_factory=dict)

    def say(self, name: str, **values: object) -> str:
        """Phrase `name` in this language with its `{placeholders}` filled in."""
        return self.texts.get(name, DEFAULTS[name]).format(**values)

    def issue(self, issue: str) -> str:
        """The caller-facing name of `issue` (a menu option's label), or "" when it has none."""
        return self.issues.get(issue, "")

    def time(self, at: datetime, now: datetime, tz: ZoneInfo) -> str:
        """`at` said in this language in the caller's zone: "tomorrow at 9 in the morning"."""
        return spoken_time(at, now, tz, self.language)

    def wait(self, low: float, high: float) -> str:
        """A wait likely between `low` and `high` seconds, said in this language."""
        return spoken_wait(low, high, self.language)


@dataclass(frozen=True)
class PhraseBook:
    """One menu version's phrases in all its languages."""

    languages: Mapping[str, str]
    default_language: str
    messages: Mapping[str, Mapping[str, str]]
    issues: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def phrases(self, language: str) -> Phrases:
        """The phrases for a caller speaking `language` (the menu's default when it has none)."""
        if language not in self.languages:
            language = self.default_language
        return Phrases(language, self.languages.get(language, DEFAULT_LOCALE),
                       {name: texts[language] for name, texts in self.messages.items()
                        if language in texts},
                       {issue: names[language] for issue, names in self.issues.items()
                        if language in names})

    def to_json(self) -> bytes:
        return orjson.dumps({"languages": self.languages, "default_language":
                             self.default_language, "messages": self.messages,
                             "issues": self.issues})

    @classmethod
    def from_json(cls, raw: bytes | str) -> PhraseBook:
        data = orjson.loads(raw)
        return cls(data["languages"], data["default_language"], data["messages"],
                   data.get("issues", {}))


ENGLISH = PhraseBook({DEFAULT_LANGUAGE: DEFAULT_LOCALE}, DEFAULT_LANGUAGE,
                     {name: {DEFAULT_LANGUAGE: text} for name, text in DEFAULTS.items()})
"""The book of a call whose menu version published none (the shipped catalogue alone)."""


def phrase_book(client: redis.Redis, menu_version: str) -> PhraseBook:
    """The phrase book the IVR published for `menu_version`; the English catalogue when none."""
    found = _BOOKS.find(menu_version)
    if found is None:
        raw = phrase_book_source(client, menu_version) if menu_version else None
        if raw is None:
            return ENGLISH
        # A version is its content's hash, so its book never changes: decode it once.
        found = _BOOKS.keep(menu_version, PhraseBook.from_json(raw))
    return found


def phrases_for(client: redis.Redis, menu_version: str, language: str) -> Phrases:
    """What a caller on `menu_version` speaking `language` hears."""
    return phrase_book(client, menu_version).phrases(language)
