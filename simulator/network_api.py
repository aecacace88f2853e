"""The simulated phone network's side door, for the caller simulator when Hotline runs without
Twilio: what Hotline asked "Twilio" to do to a simulated call (redirect it), to place (an
outbound call to a number) or to text, handed out once each. Bearer token; 404 with real Twilio."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from core.api import answer_errors_as_json, error, require_admin_token
from core.deps import deps
from core.telephony import SimulatedTelephony

bp = Blueprint("sim_network", __name__, url_prefix="/api/v1/simulator")
bp.before_request(require_admin_token)
answer_errors_as_json(bp)


@bp.before_request
def only_when_simulated() -> Response | None:
    if not isinstance(deps().telephony, SimulatedTelephony):
        return error(404, "not_simulated", "Hotline talks to Twilio, not to the simulator")
    return None


def network() -> SimulatedTelephony:
    telephony = deps().telephony
    assert isinstance(telephony, SimulatedTelephony)  # only_when_simulated checked it
    return telephony


@bp.post("/calls/<call_sid>/redirects/next")
def next_redirect(call_sid: str) -> Response:
    """The oldest redirect Hotline made of this call that the simulator has not acted on."""
    redirect = network().take_redirect(call_sid)
    return jsonify(redirect) if redirect is not None else Response(status=204)


@bp.post("/outbound/next")
def next_outbound_call() -> Response:
    """The oldest call Hotline placed to `?to=` (E.164) that nobody has answered yet."""
    to = request.args.get("to", "").strip()
    if not to:
        return error(400, "invalid_field", "to: the number called is required", "to")
    placed = network().take_call_to(to)
    return jsonify(placed) if placed is not None else Response(status=204)


@bp.post("/messages/taken")
def take_messages() -> Response:
    """The texts Hotline sent to `?to=` (E.164) that the simulator has not shown yet."""
    to = request.args.get("to", "").strip()
    if not to:
        return error(400, "invalid_field", "to: the number texted is required", "to")
    return jsonify(network().take_messages_to(to))
