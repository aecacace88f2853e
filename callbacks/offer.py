"""The callback offer as a conversation: each step's words and TwiML, and what a key means.
Pure: the webhooks read the session, call these, and commit what they return.

    offer ──1──▶ number ──1──▶ confirm ──1──▶ promised, goodbye
      │            └──2──▶ enter digits ──▶ (refused: reason, enter again) ──▶ confirm
      ├──2──▶ slots ──k──▶ number ...
      └──9──▶ back to the queue                  (no valid key three times: the queue too)
"""

from __future__ import annotations

from collections.abc import Sequence

from twilio.twiml.voice_response import VoiceResponse

from core import webhook_reply
from core.form_fields import whole_number
from core.phrases import Phrases

MAX_TRIES = 3
"""Wrong or missing keys accepted at one question before the caller goes back to the queue."""

STAY_KEY = "9"

INTROS = {"hold": "offer_intro_hold", "long-wait": "offer_intro_long_wait",
          "no-agents": "offer_intro_no_agents"}
"""The opening sentence (a `core.phrases` name) by where the offer came from."""

MEANINGS = {
    "when": {"1": "as soon as an agent is free", "2": "choose a time",
             STAY_KEY: "stay on the line"},
    "number": {"1": "yes, call the caller ID", "2": "another number"},
    "confirm": {"1": "confirm", "2": "start again"},
    "pending-choice": {"1": "keep the booked callback", "2": "cancel the booked callback"},
}
"""What a key means at each step of the offer, for the transcript."""


def ask(lines: Sequence[str], action: str, locale: str, digits: int = 1,
        finish_on_key: str = "", timeout: int = 6) -> str:
    """Say `lines` while waiting for keys, posted to `action` (silence posts nothing: an empty
    answer, which counts as a wrong key)."""
    response = VoiceResponse()
    with response.gather(input="dtmf", action=action, method="POST", num_digits=digits,
                         finish_on_key=finish_on_key, timeout=timeout,
                         action_on_empty_result=True) as asking:
        for line in lines:
            if line:
                asking.say(line, language=locale)
    return str(response)


def say_then(lines: Sequence[str], locale: str, redirect: str | None = None) -> str:
    """Say `lines`, then go to `redirect`, or hang up when there is none."""
    return webhook_reply.say_then([(line, locale) for line in lines], redirect)


def intro(origin: str, phrases: Phrases) -> str:
    return phrases.say(INTROS.get(origin, "offer_intro_menu"))


def slot_lines(spoken_slots: Sequence[str], phrases: Phrases) -> list[str]:
    return [phrases.say("offer_slot", key=n, when=when)
            for n, when in enumerate(spoken_slots, start=1)]


def chosen_slot(digits: str, count: int) -> int | None:
    """The index of the slot the caller's key names, or None."""
    chosen = whole_number(digits) if len(digits) == 1 else None
    return chosen - 1 if chosen is not None and 1 <= chosen <= count else None


def key_meaning(step: str, digits: str, slot_times: Sequence[str] = ()) -> str:
    """What `digits` pressed at offer step `step` meant, in words for the transcript
    (`slot_times`: the times that were offered, as the transcript says them)."""
    if step == "slot":
        index = chosen_slot(digits, len(slot_times))
        return f"call back {slot_times[index]}" if index is not None else \
            "not one of the times offered"
    if step == "entered":
        return "the number to call back"
    return MEANINGS.get(step, {}).get(digits, "not one of the choices")
