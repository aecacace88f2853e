"""How every webhook answers Twilio: TwiML with status 200, the empty answer, and words said
before the call goes on (or ends)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response
from twilio.twiml.voice_response import VoiceResponse

Said = tuple[str, str]
"""One sentence and the Twilio locale to say it in."""


def twiml(body: str) -> Response:
    """`body` as the webhook's answer."""
    return Response(body, status=200, mimetype="text/xml")


def empty() -> str:
    """An answer that does nothing, for requests whose TwiML Twilio ignores."""
    return str(VoiceResponse())


def say_then(said: Iterable[Said], redirect: str | None = None) -> str:
    """Say each non-empty sentence, then go to `redirect`, or hang up when there is none."""
    response = VoiceResponse()
    for text, locale in said:
        if text:
            response.say(text, language=locale)
    if redirect:
        response.redirect(redirect, method="POST")
    else:
        response.hangup()
    return str(response)

