"""Baselines: the same server answering one fixed TwiML string, and bare Flask doing the same.

`same_server()` is Hotline's own app (same gunicorn settings, same Flask app, same signature
check and form parsing) with one extra route that answers fixed TwiML instead of doing the
IVR's work; the difference to the real webhooks is what Hotline's per-call work costs.
`bare` is a plain Flask app with none of that, for context.
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
def answer_fixed() -> Response:
    request.form.get("CallSid")
    return Response(FIXED, mimetype="text/xml")


def same_server() -> Flask:
    """Hotline's app plus the fixed route (gunicorn: `bench.fixed_twiml:same_server()`)."""
    from hotline.app import create_app

    app = create_app(Settings.from_env(), os.environ["REDIS_URL"])
    app.register_blueprint(fixed)
    return app


bare = Flask("bare_fixed_twiml")


@bare.post(FIXED_PATH)
def answer_bare() -> Response:
    return Response(FIXED, mimetype="text/xml")
