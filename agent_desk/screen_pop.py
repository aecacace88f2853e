"""The screen-pop API (bearer token): the ticket of the call being routed to an agent."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from agent_desk.current_call import current_ticket
from core.access import Role
from core.api import allow, answer_errors_as_json, error, require_own

bp = Blueprint("agents_api", __name__, url_prefix="/api/v1/agents")
answer_errors_as_json(bp)


@bp.get("/<agent_id>/screen-pop")
@allow(Role.ADMIN, Role.AGENT)
def screen_pop(agent_id: str) -> Response:
    """The ticket of the call being routed to the agent (from the queues' assignment)."""
    require_own(agent_id, "agent_id")
    ticket = current_ticket(agent_id)
    if ticket is None:
        return error(404, "no_call", f"agent {agent_id!r} has no call with a ticket now",
                     "agent_id")
    return jsonify(ticket.to_dict())
