"""The screen-pop API (bearer token): the ticket of the call being routed to an agent."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from agent_desk.current_call import current_ticket
from core.api import answer_errors_as_json, error, require_admin_token

bp = Blueprint("agents_api", __name__, url_prefix="/api/v1/agents")
bp.before_request(require_admin_token)
answer_errors_as_json(bp)


@bp.get("/<agent_id>/screen-pop")
def screen_pop(agent_id: str) -> Response:
    """The ticket of the call being routed to the agent (from the queues' assignment)."""
    ticket = current_ticket(agent_id)
    if ticket is None:
        return error(404, "no_call", f"agent {agent_id!r} has no call with a ticket now",
                     "agent_id")
    return jsonify(ticket.to_dict())
