"""The fixed-TwiML servers that answer the benchmark's POSTs with one fixed string.

`hotline_app()` is the baseline the target is set against: Hotline's own app (same settings,
signature check and form parsing) with one extra route answering the string, so the ratio
measures the IVR's own work. `bare_app()`, a minimal Flask app and nothing else, is a reference
row: it shows what Hotline's app and its signature check cost on their own.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask, Response, request

from core.settings import Settings
from core.twilio_auth import require_twilio_signature

FIXED = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="http://127.0.0.1/voice/menu'
    '?s=1" input="dtmf speech" numDigits="1"><Say>For billing, press 1.</Say></Gather></Response>'
)
FIXED_PATH = "/bench/fixed"

fixed = Blueprint("bench_fixed", __name__)
fixed.before_request(require_twilio_signature)


@fixed.post(FIXED_PATH)
def answer_signed() -> Response:
    request.form.get("CallSid")
    return Response(FIXED, mimetype="text/xml")


def hotline_app() -> Flask:
    """Hotline's app plus the fixed route (gunicorn: `bench.fixed_twiml:hotline_app()`)."""
    from hotline.app import create_app

    app = create_app(Settings.from_env(), os.environ["REDIS_URL"])
    app.register_blueprint(fixed)
    return app


def bare_app() -> Flask:
    """A minimal Flask app answering the fixed string (gunicorn: `bench.fixed_twiml:bare_app()`)."""
    app = Flask("bare_fixed_twiml")
    app.add_url_rule(FIXED_PATH, "fixed", _answer_bare, methods=["POST"])
    return app


def _answer_bare() -> Response:
    return Response(FIXED, mimetype="text/xml")
