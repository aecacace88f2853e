"""The callback offer as a conversation: each step's words and TwiML, and what a key means.
Pure: the webhooks read the session, call these, and commit what they return.

    offer ──1──▶ number ──1──▶ confirm ──1──▶ promised, goodbye
      │            └──2──▶ enter digits ──▶ (refused: reason, enter again) ──▶ confirm
      ├──2──▶ slots ──k──▶ number ...
      └──9──▶ back to the queue                  (no valid key three times: the queue too)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from twilio.twiml.voice_response import VoiceResponse

MAX_TRIES = 3
"""Wrong or missing keys accepted at one question before the caller goes back to the queue."""

LOCALES = {"en": "en-US", "es": "es-US"}

STAY_KEY = "9"


@dataclass(frozen=True)
class Words:
    """Everything the offer says (English; the locale follows the caller's language)."""

    intro_hold: str = "You can hang up and we will call you back."
    intro_long_wait: str = "The wait is long right now. We can call you back instead."
    intro_menu: str = "We can call you back."
    choose: str = ("Press 1 to be called as soon as an agent is free; you keep your place in "
                   "line. Press 2 to choose a time. Press 9 to stay on the line.")
    slot: str = "Press {key} for {when}."
    no_slots: str = "There are no times free soon, so we will call you as soon as we can."
    use_caller_id: str = "Shall we call you on {number}? Press 1 for yes, or 2 for another number."
    enter_number: str = "Please enter the number to call, with the area code, then press pound."
    confirm: str = "We will call you {when} on {number}. Press 1 to confirm, or 2 to start again."
    promised: str = "Thank you. We will call you {when}. You can hang up now. Goodbye."
    not_understood: str = "Sorry, that was not one of the choices."
    back_to_queue: str = "Let's keep your place in line."
    unknown_call: str = "Sorry, we could not find your call. Please call again."
    pending: str = ("You already have a callback booked {when} on {number}. Press 1 to keep "
                    "it, or 2 to cancel it.")
    kept: str = "Your callback is still booked."
    cancelled: str = "Your callback is cancelled."


WORDS = Words()


def locale(language: str) -> str:
    return LOCALES.get(language, "en-US")


def ask(lines: Sequence[str], action: str, language: str, digits: int = 1,
        finish_on_key: str = "", timeout: int = 6) -> str:
    """Say `lines` while waiting for keys, posted to `action` (silence posts nothing: an empty
    answer, which counts as a wrong key)."""
    response = VoiceResponse()
    with response.gather(input="dtmf", action=action, method="POST", num_digits=digits,
                         finish_on_key=finish_on_key, timeout=timeout,
                         action_on_empty_result=True) as asking:
        for line in lines:
            if line:
                asking.say(line, language=locale(language))
    return str(response)


def say_then(lines: Sequence[str], language: str, redirect: str | None = None) -> str:
    """Say `lines`, then go to `redirect`, or hang up when there is none."""
    response = VoiceResponse()
    for line in lines:
        if line:
            response.say(line, language=locale(language))
    if redirect:
        response.redirect(redirect, method="POST")
    else:
        response.hangup()
    return str(response)


def intro(origin: str) -> str:
    return {"hold": WORDS.intro_hold, "long-wait": WORDS.intro_long_wait}.get(origin,
                                                                              WORDS.intro_menu)


def slot_lines(spoken_slots: Sequence[str]) -> list[str]:
    return [WORDS.slot.format(key=n, when=when) for n, when in enumerate(spoken_slots, start=1)]


def chosen_slot(digits: str, count: int) -> int | None:
    """The index of the slot the caller's key names, or None."""
    if len(digits) == 1 and digits.isdigit() and 1 <= int(digits) <= count:
        return int(digits) - 1
    return None
