"""The ticket of the call an agent has now: what the queues assigned them, found in the tickets
store."""

from __future__ import annotations

from core.deps import deps
from queues.context import queues
from tickets_bridge.api import tickets
from tickets_bridge.ticket import Ticket


def current_ticket(agent_id: str) -> Ticket | None:
    """The ticket of the call the queues assigned to `agent_id`, once the bridge has it. Before
    the bridge has seen the call: for a callback's leg, the ticket of the call that asked for
    it; for a repeat call, the open ticket the IVR found for it."""
    presence = queues().agents.presence(agent_id)
    call = presence.task if presence is not None else None
    if not call:
        return None
    ticket_id = tickets().ticket_id_for_call(call)
    if ticket_id is None:
        session = deps().sessions.load(call)
        routing = session.routing if session else None
        leg = routing.callback if routing is not None else None
        ticket_id = tickets().ticket_id_for_call(leg.origin_call) if leg is not None else None
        if ticket_id is None and routing is not None:
            ticket_id = routing.ticket
    return tickets().get(ticket_id) if ticket_id is not None else None


def routed_ticket_id(agent_id: str) -> int | None:
    """The id of the ticket of the call routed to `agent_id` now, if any."""
    ticket = current_ticket(agent_id)
    return ticket.id if ticket is not None else None
