"""The promise every Twilio webhook keeps: a failure becomes an apology and the fallback route
in TwiML (status 200), never a 5xx that would leave the caller with Twilio's error message."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from core.deps import deps

log = logging.getLogger(__name__)

APOLOGY = "We're sorry, we can't take your call right now."
APOLOGY_TRANSFER = "We're sorry, our phone menu is not available. Connecting you to our team."
LOCALE = "en-US"


def apology(fallback_number: str | None) -> str:
    """Safe TwiML for when Hotline cannot serve the call: say so, then the fallback route."""
    response = VoiceResponse()
    response.say(APOLOGY_TRANSFER if fallback_number else APOLOGY, language=LOCALE)
    if fallback_number:
        response.dial(fallback_number, timeout=30)
    else:
        response.hangup()
    return str(response)


def apology_response() -> Response:
    """The apology for this deployment (its HOTLINE_FALLBACK_NUMBER), as a TwiML response."""
    return Response(apology(deps().settings.fallback_number), status=200, mimetype="text/xml")


def never_5xx(bp: Blueprint) -> None:
    """Install the failure handler on a webhook blueprint; 4xx (bad requests) pass through."""

    @bp.errorhandler(Exception)
    def on_error(error: Exception) -> Response | HTTPException:
        if isinstance(error, HTTPException) and (error.code or 500) < 500:
            return error
        log.exception("webhook %s failed; the caller gets the fallback route", request.path)
        return apology_response()
