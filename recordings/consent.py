"""What a caller hears before a call is recorded, and what their answer means. Pure: the
TwiML of the announcement (with the opt-out question where the policy allows one) and the
event that logs the consent on the call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from twilio.twiml.voice_response import VoiceResponse

from core.events import Event, EventKind
from core.phrases import Phrases
from core.routes import url

OPT_OUT_SECONDS = 4
"""Seconds the caller has to press the opt-out key after the announcement."""


PHONE_KEYS = "0123456789*#"


@dataclass(frozen=True)
class ConsentStep:
    """One request of the consent step, as its signed URL (policy, opt-out key, whether to
    speak every language, whether this is the answer) and the caller's key tell it."""

    policy: str
    key: str
    every_language: bool
    answered: bool
    digits: str

    @classmethod
    def of(cls, query: Mapping[str, str], form: Mapping[str, str]) -> ConsentStep:
        return cls(query.get("consent", ""), query.get("key", ""), bool(query.get("all")),
                   bool(query.get("answered")), form.get("Digits", ""))

    @property
    def valid(self) -> bool:
        return self.policy in ("announce", "opt-out") and len(self.key) == 1 \
            and self.key in PHONE_KEYS

    @property
    def asks(self) -> bool:
        """The opt-out question is still to be asked."""
        return self.policy == "opt-out" and not self.answered

    @property
    def declined(self) -> bool:
        return self.policy == "opt-out" and self.answered and self.digits == self.key

    def answer_url(self, base: str) -> str:
        return url(base, "/recordings/consent", consent=self.policy, key=self.key,
                   **({"all": 1} if self.every_language else {}), answered=1)


def ask(phrases: Sequence[Phrases], key: str, answer_url: str) -> str:
    """The announcement and the opt-out question; the key (or silence) goes to `answer_url`."""
    response = VoiceResponse()
    gather = response.gather(input="dtmf", num_digits=1, timeout=OPT_OUT_SECONDS,
                             action=answer_url, method="POST", action_on_empty_result=True)
    for said in phrases:
        gather.say(said.say("recording_notice"), language=said.locale)
        gather.say(said.say("recording_opt_out", key=key), language=said.locale)
    return str(response)


def said(phrases: Sequence[Phrases], name: str) -> list[tuple[str, str]]:
    """Phrase `name` in each of the caller's languages, with the voice for each."""
    return [(p.say(name), p.locale) for p in phrases]


def declined(at: datetime, key: str) -> Event:
    return Event(at, EventKind.NOTE, f"Caller declined recording (pressed {key})",
                 {"consent": "declined"})


def recording_started(at: datetime, consent: str, recording_sid: str) -> Event:
    how = "opt-out offered, not used" if consent == "opt-out" else "announced"
    return Event(at, EventKind.RECORDING, f"Call recording started ({how})",
                 {"recording_sid": recording_sid, "consent": "given", "policy": consent,
                  "status": "recording", "channels": 2})


def not_started(at: datetime, reason: str) -> Event:
    return Event(at, EventKind.NOTE, f"Call recording could not be started: {reason}",
                 {"consent": "given"})
