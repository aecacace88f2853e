"""The simulated phone network's side door, for the caller simulator when Hotline runs without
Twilio: what Hotline asked "Twilio" to do to a simulated call (redirect it), to place (an
outbound call to a number) or to text, handed out once each. Bearer token; 404 with real Twilio."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from core.access import Role
from core.api import allow, answer_errors_as_json, error
from core.deps import deps
from core.errors import NotFound
from core.telephony import SimulatedTelephony

bp = Blueprint("sim_network", __name__, url_prefix="/api/v1/simulator")
answer_errors_as_json(bp)


def network() -> SimulatedTelephony:
    """The simulated network; NotFound (404) when Hotline talks to the real Twilio."""
    telephony = deps().telephony
    if not isinstance(telephony, SimulatedTelephony):
        raise NotFound("Hotline talks to Twilio, not to the simulator")
    return telephony


@bp.post("/calls/<call_sid>/redirects/next")
@allow(Role.ADMIN)
def next_redirect(call_sid: str) -> Response:
    """The oldest redirect Hotline made of this call that the simulator has not acted on."""
    redirect = network().take_redirect(call_sid)
    return jsonify(redirect) if redirect is not None else Response(status=204)


@bp.post("/outbound/next")
@allow(Role.ADMIN)
def next_outbound_call() -> Response:
    """The oldest call Hotline placed to `?to=` (E.164) that nobody has answered yet."""
    to = request.args.get("to", "").strip()
    if not to:
        return error(400, "invalid_field", "to: the number called is required", "to")
    placed = network().take_call_to(to)
    return jsonify(placed) if placed is not None else Response(status=204)


@bp.post("/messages/taken")
@allow(Role.ADMIN)
def take_messages() -> Response:
    """The texts Hotline sent to `?to=` (E.164) that the simulator has not shown yet."""
    to = request.args.get("to", "").strip()
    if not to:
        return error(400, "invalid_field", "to: the number texted is required", "to")
    return jsonify(network().take_messages_to(to))
