"""The TwiML of waiting and connecting: join the hold line, the hold announcements (with the
callback key live while they play), the agent's Dial, and the whisper the agent hears.
Built only with `twilio.twiml.voice_response`; which words and URLs is decided elsewhere."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from core.webhook_reply import empty, say_then

CALLBACK_KEY = "1"


def enqueue(queue_name: str, wait_url: str, left_url: str, preface: str = "",
            locale: str = "en-US") -> str:
    """Put the caller on hold in Twilio's queue `queue_name`; `wait_url` plays while they wait
    and `left_url` learns why they left (hung up, left for a callback, redirected)."""
    response = VoiceResponse()
    if preface:
        response.say(preface, language=locale)
    response.enqueue(queue_name, wait_url=wait_url, wait_url_method="POST", action=left_url,
                     method="POST")
    return str(response)


def announcement(text: str, key_url: str, listen_seconds: int, locale: str = "en-US") -> str:
    """Speak `text` and then listen for `listen_seconds` for a key, all inside one Gather so a
    key pressed during the announcement counts; with no key the wait URL is asked again."""
    response = VoiceResponse()
    gather = Gather(input="dtmf", num_digits=1, action=key_url, method="POST",
                    timeout=listen_seconds, action_on_empty_result=False)
    if text:
        gather.say(text, language=locale)
    response.append(gather)
    return str(response)


def leave() -> str:
    """Take the caller out of the hold queue (Twilio then requests the Enqueue action)."""
    response = VoiceResponse()
    response.leave()
    return str(response)


def connect(reach: str, whisper_url: str, dialed_url: str, ring_seconds: int,
            preface: str = "", locale: str = "en-US") -> str:
    """Ring the agent at `reach` (a number or `client:<identity>`): when they answer they hear
    the whisper at `whisper_url` before the caller is connected; `dialed_url` learns how the
    Dial ended (answered and hung up, no answer, busy, failed)."""
    response = VoiceResponse()
    if preface:
        response.say(preface, language=locale)
    dial = Dial(action=dialed_url, method="POST", timeout=ring_seconds, answer_on_bridge=True)
    if reach.startswith("client:"):
        dial.client(reach.removeprefix("client:"), url=whisper_url, method="POST")
    else:
        dial.number(reach, url=whisper_url, method="POST")
    response.append(dial)
    return str(response)


def whisper(text: str) -> str:
    """What the agent hears on answering, before the caller is connected."""
    response = VoiceResponse()
    response.say(text, language="en-US")
    return str(response)


def redirect(url: str, text: str = "", locale: str = "en-US") -> str:
    return say_then([(text, locale)], url)


def hang_up(text: str = "") -> str:
    return say_then([(text, "en-US")])


def nothing() -> str:
    """An empty answer, for requests whose TwiML Twilio ignores (the call has moved on)."""
    return empty()
