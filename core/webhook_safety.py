"""The promise every Twilio webhook keeps: a failure becomes an apology and the fallback route
in TwiML (status 200), never a 5xx that would leave the caller with Twilio's error message."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from core.deps import deps
from core.phrases import DEFAULT_LOCALE, DEFAULTS, PhraseBook
from core.webhook_reply import twiml

log = logging.getLogger(__name__)

APOLOGIES = "hotline.apologies"
"""The app's apology in each language of the menu it started with (set at start-up)."""


@dataclass(frozen=True)
class Apology:
    """What a caller hears when Hotline cannot serve the call, in one language."""

    text: str
    transfer_text: str
    locale: str


ENGLISH = Apology(DEFAULTS["apology"], DEFAULTS["apology_transfer"], DEFAULT_LOCALE)


def apologies_in(book: PhraseBook) -> list[Apology]:
    """The apology in every language of `book`, its default language first: when Hotline
    fails it may not know the caller's language (Redis may be what failed)."""
    order = [book.default_language, *(lang for lang in book.languages
                                      if lang != book.default_language)]
    said = [book.phrases(language) for language in order]
    return [Apology(p.say("apology"), p.say("apology_transfer"), p.locale) for p in said]


def apology(fallback_number: str | None, apologies: Sequence[Apology] = (ENGLISH,)) -> str:
    """Safe TwiML for when Hotline cannot serve the call: say so, then the fallback route."""
    response = VoiceResponse()
    for said in apologies:
        response.say(said.transfer_text if fallback_number else said.text, language=said.locale)
    if fallback_number:
        response.dial(fallback_number, timeout=30)
    else:
        response.hangup()
    return str(response)


def apology_response() -> Response:
    """The apology for this deployment (its HOTLINE_FALLBACK_NUMBER and its menu's languages),
    as a TwiML response; it needs neither Redis nor the call's session."""
    spoken = current_app.extensions.get(APOLOGIES) or [ENGLISH]
    return twiml(apology(deps().settings.fallback_number, spoken))


def never_5xx(bp: Blueprint) -> None:
    """Install the failure handler on a webhook blueprint; 4xx (bad requests) pass through."""

    @bp.errorhandler(Exception)
    def on_error(error: Exception) -> Response | HTTPException:
        if isinstance(error, HTTPException) and (error.code or 500) < 500:
            return error
        log.exception("webhook %s failed; the caller gets the fallback route", request.path)
        return apology_response()
