"""How every webhook answers Twilio: TwiML with status 200, the key that makes its step happen
exactly once, the empty answer, and words said before the call goes on (or ends)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from flask import Response, request
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



def step_key(step: str = "") -> str:
    """The key of this request's step: the URL and the form fields Twilio signed, under `step`
    when a route names its steps."""
    # Not I-Twilio-Idempotency-Token: that header is not signed, so a captured request replayed
    # with a fresh one would be taken as a new step. Twilio's genuine retries resend the same
    # URL and body, and the URL carries the step numbers Hotline put there.
    signed = repr(sorted(request.form.items(multi=True))).encode("utf-8", "surrogatepass")
    digest = hashlib.blake2b(signed, digest_size=16).hexdigest()
    return f"{step}:{request.full_path.rstrip('?')}:{digest}"
