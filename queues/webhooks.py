"""Where the IVR hands a routed caller over: joins the Twilio queue named by the decision.

A minimal hand-over until real queues, agents and hold announcements are built.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from twilio.twiml.voice_response import VoiceResponse

from core.deps import deps
from core.events import Event, EventKind
from core.session import CallSession, Change, Step
from core.twilio_auth import call_sid_of, require_twilio_signature
from core.webhook_safety import never_5xx

bp = Blueprint("queues", __name__, url_prefix="/queues")
bp.before_request(require_twilio_signature)
never_5xx(bp)

DEFAULT_QUEUE = "general"
HOLD_MESSAGE = "All of our agents are helping other callers. Please stay on the line."


@bp.post("/enter")
def enter() -> Response:
    call_sid = call_sid_of(request.form)
    d = deps()

    def decide(step: Step) -> Change | str:
        session = step.session
        queue = _queue_of(session)
        reply = _enqueue(queue, d.settings.public_url)
        if session is None:
            return reply
        text = f"Waiting in queue {queue}"
        event = Event(d.clock.now(), EventKind.QUEUE, text, {"queue": queue})
        return Change(session.evolve(status="queued"), [event], reply)

    token = request.headers.get("I-Twilio-Idempotency-Token", "")
    return _xml(d.sessions.run(call_sid, f"queue-enter:{token}", decide))


@bp.post("/wait")
def wait() -> Response:
    response = VoiceResponse()
    response.say(HOLD_MESSAGE)
    response.pause(length=20)
    return _xml(str(response))


def _queue_of(session: CallSession | None) -> str:
    decision = session.decision if session else None
    return str((decision or {}).get("queue") or DEFAULT_QUEUE)


def _enqueue(queue: str, base_url: str) -> str:
    response = VoiceResponse()
    # The action URL is requested when the caller leaves the queue, e.g. after the agent hangs
    # up: that is where the IVR asks its satisfaction survey.
    response.enqueue(queue, wait_url=f"{base_url}/queues/wait", wait_url_method="POST",
                     action=f"{base_url}/voice/after-queue", method="POST")
    return str(response)


def _xml(body: str) -> Response:
    return Response(body, status=200, mimetype="text/xml")
