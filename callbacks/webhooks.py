"""The callback offer the IVR hands callers to.

Until scheduled callbacks are built, the offer says so plainly and keeps the caller's place by
handing them to the queue their routing decision names; nothing is promised that isn't done.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from twilio.twiml.voice_response import VoiceResponse

from core.deps import deps
from core.events import Event, EventKind
from core.session import Change, Step
from core.twilio_auth import call_sid_of, require_twilio_signature
from core.webhook_safety import never_5xx

bp = Blueprint("callbacks", __name__, url_prefix="/callbacks")
bp.before_request(require_twilio_signature)
never_5xx(bp)

NOT_YET = "Callbacks are not available yet. Please stay on the line for the next agent."


@bp.post("/offer")
def offer() -> Response:
    call_sid = call_sid_of(request.form)
    d = deps()
    response = VoiceResponse()
    response.say(NOT_YET)
    response.redirect(f"{d.settings.public_url}/queues/enter?stay=1", method="POST")
    reply = str(response)

    def decide(step: Step) -> Change | str:
        session = step.session
        if session is None:
            return reply
        note = Event(d.clock.now(), EventKind.CALLBACK,
                     "Callback requested; not yet available, caller kept in the queue",
                     {"state": "unavailable"})
        return Change(session, [note], reply)

    return Response(d.sessions.run(call_sid, "callback-offer", decide), mimetype="text/xml")
