"""TwiML for the IVR, built only with twilio.twiml. Pure functions: text in, XML out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from twilio.twiml.voice_response import VoiceResponse

from core import webhook_reply
from ivr.menu import Menu, Node, Outcome, OutcomeKind

VOICEMAIL_MAX_SECONDS = 180
TWILIO_TRANSCRIBES_SECONDS = 120
"""Twilio transcribes recordings of up to 2 minutes: a voicemail it is to transcribe stops
there, so no message is left without its text."""


@dataclass(frozen=True)
class Spoken:
    """One thing Hotline says: its text and the Twilio locale to say it in."""

    text: str
    locale: str


def node_speech(menu: Menu, node: Node, language: str, preface: Sequence[str] = ()) -> list[Spoken]:
    """What the caller hears at `node`: any preface, then the prompt.

    A node that chooses the language speaks its prompt in every language, each in its own voice.
    """
    locale = menu.languages[language]
    spoken = [Spoken(text, locale) for text in preface if text]
    if node.chooses_language:
        return spoken + [Spoken(node.prompt[lang], loc) for lang, loc in menu.languages.items()]
    return spoken + [Spoken(node.prompt[language], locale)]


def speech_hints(menu: Menu, node: Node, language: str) -> str:
    """Phrases the recogniser should expect at `node` (those of the options beneath it too, as
    words may name a deeper choice), comma separated as Twilio wants."""
    phrases = [p for within in menu.phrases_within(node.id, language).values() for p in within]
    phrases += [p for name in ("human", "repeat", "back")
                for p in menu.commands.get(name, {}).get(language, ())]
    return ", ".join(dict.fromkeys(phrases))


def gather(menu: Menu, node: Node, language: str, spoken: Sequence[Spoken],
           action_url: str, silence_url: str) -> str:
    """Ask at `node` for one key or some words, posting the answer to `action_url`; at a
    sensitive node, for keys only (card details), as many as the caller keys before `#`."""
    if node.sensitive:
        return ask_digits(menu, spoken, action_url, silence_url)
    return ask(menu, language, spoken, action_url, silence_url,
               speech_hints(menu, node, language))


def ask_digits(menu: Menu, spoken: Sequence[Spoken], action_url: str, silence_url: str) -> str:
    """Ask for keys ended by `#` (no speech: card details are never spoken to a recogniser)."""
    response = VoiceResponse()
    with response.gather(input="dtmf", action=action_url, method="POST", finish_on_key="#",
                         timeout=menu.settings.timeout, action_on_empty_result=True) as asking:
        for item in spoken:
            asking.say(item.text, language=item.locale)
    response.redirect(silence_url, method="POST")
    return str(response)


def ask(menu: Menu, language: str, spoken: Sequence[Spoken], action_url: str,
        silence_url: str, hints: str) -> str:
    """Ask for one key or some words in `language`, posting the answer to `action_url`."""
    response = VoiceResponse()
    with response.gather(
        input="dtmf speech",
        action=action_url,
        method="POST",
        num_digits=1,
        finish_on_key="",
        timeout=menu.settings.timeout,
        speech_timeout="auto",
        language=menu.languages[language],
        hints=hints or None,
        action_on_empty_result=True,
    ) as asking:
        for item in spoken:
            asking.say(item.text, language=item.locale)
    # Only reached if Twilio ever skips actionOnEmptyResult: counts as silence, never a dead end.
    response.redirect(silence_url, method="POST")
    return str(response)


def ask_key(spoken: Spoken, action_url: str, timeout: int) -> str:
    """Ask for one key (a survey answer); silence posts to `action_url` with no digits."""
    response = VoiceResponse()
    with response.gather(input="dtmf", action=action_url, method="POST", num_digits=1,
                         timeout=timeout, action_on_empty_result=True) as asking:
        asking.say(spoken.text, language=spoken.locale)
    return str(response)


def outcome_speech(menu: Menu, outcome: Outcome, language: str) -> list[Spoken]:
    """What the caller hears on reaching `outcome`: its own message, else Hotline's default."""
    locale = menu.languages[language]
    own = outcome.message.get(language, "")
    if outcome.kind is OutcomeKind.MESSAGE:
        return [Spoken(own, locale),
                Spoken(menu.messages.of("goodbye").get(language, ""), locale)]
    if own:
        return [Spoken(own, locale)]
    defaults = {
        OutcomeKind.ROUTE: menu.messages.of("connecting"),
        OutcomeKind.TRANSFER: menu.messages.of("connecting"),
        OutcomeKind.VOICEMAIL: menu.messages.of("voicemail"),
    }
    default = defaults.get(outcome.kind, {}).get(language, "")
    return [Spoken(default, locale)] if default else []


def say_then_redirect(spoken: Sequence[Spoken], url: str) -> str:
    """Speak, then hand the call to another Hotline URL (the queue or the callback offer)."""
    return webhook_reply.say_then([(item.text, item.locale) for item in spoken], url)


def say_then_hang_up(spoken: Sequence[Spoken]) -> str:
    return webhook_reply.say_then([(item.text, item.locale) for item in spoken])


def voicemail(spoken: Sequence[Spoken], done_url: str, status_url: str,
              transcription_url: str | None = None) -> str:
    """Record a message after the prompt; Twilio posts the recording to `done_url`, and to
    `status_url` once its audio can be fetched (and its transcription, if asked for, to
    `transcription_url`)."""
    response = _saying(spoken)
    extra = {"transcribe": True, "transcribe_callback": transcription_url} \
        if transcription_url else {}
    longest = TWILIO_TRANSCRIBES_SECONDS if transcription_url else VOICEMAIL_MAX_SECONDS
    response.record(action=done_url, method="POST", max_length=longest,
                    play_beep=True, finish_on_key="#", recording_status_callback=status_url,
                    recording_status_callback_method="POST",
                    recording_status_callback_event="completed absent", **extra)
    return str(response)


def transfer(spoken: Sequence[Spoken], number: str, done_url: str) -> str:
    """Connect the caller to an outside number; `done_url` learns whether it answered."""
    response = _saying(spoken)
    response.dial(number, action=done_url, method="POST", timeout=30)
    return str(response)


def empty() -> str:
    return webhook_reply.empty()


def _saying(spoken: Sequence[Spoken]) -> VoiceResponse:
    response = VoiceResponse()
    for item in spoken:
        if item.text:
            response.say(item.text, language=item.locale)
    return response
