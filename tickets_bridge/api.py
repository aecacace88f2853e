"""Tickets API for agents: list and read tickets, add internal notes, wrap up."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, jsonify, request
from rq import Queue

from core.access import Role
from core.api import acting_agent, allow, answer_errors_as_json, json_object
from core.caller_record import forget_open_ticket, note_open_ticket_change, open_ticket
from core.deps import deps
from core.errors import InvalidInput, NotFound, NotYours
from core.phone import parse_caller
from tickets_bridge.desk import Desk, WrapUp
from tickets_bridge.jobs import QUEUE, enqueue_delivery
from tickets_bridge.store import TicketStore
from tickets_bridge.ticket import Ticket

bp = Blueprint("tickets_api", __name__, url_prefix="/api/v1/tickets")
answer_errors_as_json(bp)

EXTENSION = "hotline.tickets"
BRIDGES = "hotline.bridges"
ROUTED = "hotline.routed-ticket"
"""Extension: agent id -> the id of the ticket of the call routed to them now, or None. Set by
the composition root, which sees the queues."""
FILTERS = ("phone", "status", "queue", "assignee")


def tickets() -> TicketStore:
    store: TicketStore = current_app.extensions[EXTENSION]
    return store


def desk() -> Desk:
    return Desk(tickets(), current_app.extensions.get(BRIDGES, []), deps().clock)


@bp.get("")
@allow(Role.ADMIN, Role.AGENT)
def list_tickets() -> Response:
    equal = {name: request.args[name].strip() for name in FILTERS if name in request.args}
    for name, value in equal.items():
        if "\x00" in value or len(value) > 200:
            raise InvalidInput(name, "must be text of at most 200 characters, without NUL")
    if "phone" in equal:
        phone = parse_caller(equal["phone"], deps().settings.default_region)
        if phone is None:
            raise InvalidInput("phone", f"{equal['phone']!r} is not a phone number")
        equal["phone"] = phone.e164
    visible = visible_to_requester()
    return jsonify({"tickets": [t.to_dict() for t in tickets().search(equal) if visible(t)]})


@bp.get("/<ticket_id>")
@allow(Role.ADMIN, Role.AGENT)
def get_ticket(ticket_id: str) -> Response:
    return jsonify(_own_ticket(ticket_id).to_dict())


def _own_ticket(ticket_id: str) -> Ticket:
    """The ticket, if the requester may see it: NotFound, or NotYours for an agent's request
    about a ticket neither assigned nor routed to them."""
    ticket = tickets().get(_id(ticket_id))
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    if not visible_to_requester()(ticket):
        raise NotYours("id", f"ticket {ticket.id} is neither assigned nor routed to you")
    return ticket


def visible_to_requester() -> Callable[[Ticket], bool]:
    """Whether the request's token may see a ticket: an admin's, any; an agent's, those
    assigned to them and the one of the call routed to them now."""
    agent = acting_agent()
    if agent is None:
        return lambda ticket: True
    routed_now = current_app.extensions.get(ROUTED)
    routed = routed_now(agent) if routed_now is not None else None
    return lambda ticket: ticket.assignee == agent or ticket.id == routed


@bp.post("/<ticket_id>/notes")
@allow(Role.ADMIN, Role.AGENT)
def add_note(ticket_id: str) -> Response:
    body = json_object()
    text, author = body.get("text"), body.get("author")
    if not isinstance(text, str):
        raise InvalidInput("text", "required text")
    if author is not None and not isinstance(author, str):
        raise InvalidInput("author", "must be text")
    agent = acting_agent()
    if agent is not None and author not in (None, agent):
        raise NotYours("author", f"an agent writes notes in their own name ({agent})")
    _own_ticket(ticket_id)
    entry, queued = desk().add_note(_id(ticket_id), text, agent or author)
    if queued:
        _deliver(_id(ticket_id))
    response = jsonify(entry)
    response.status_code = 201
    return response


@bp.patch("/<ticket_id>")
@allow(Role.ADMIN, Role.AGENT)
def wrap_up(ticket_id: str) -> Response:
    _own_ticket(ticket_id)
    ticket, queued = desk().wrap_up(_id(ticket_id), WrapUp.from_json(json_object()))
    if queued:
        _deliver(ticket.id)
    if ticket.status == "solved" and ticket.phone:
        _forget_open(ticket)
    elif ticket.phone:
        note_open_ticket_change(deps().redis, ticket.phone, ticket.issue, ticket.status,
                                ticket.assignee)
    return jsonify(ticket.to_dict())


MAX_ID = 2**31 - 1
"""Ticket ids are 32-bit integers in the store (PostgreSQL's `integer`)."""


def _id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_ID:
        raise InvalidInput("id", f"must be a whole number up to {MAX_ID}")
    return int(raw)


def _deliver(ticket_id: int) -> None:
    queue = Queue(QUEUE, connection=deps().redis)
    for name in current_app.extensions.get(BRIDGES, []):
        enqueue_delivery(queue, name, ticket_id)


def _forget_open(ticket: Ticket) -> None:
    """A solved ticket no longer takes repeat calls: tell the IVR, and (when this deployment
    texts that note) have messaging tell the caller."""
    assert ticket.phone is not None
    d = deps()
    record = open_ticket(d.redis, ticket.phone, ticket.issue)
    forget_open_ticket(d.redis, ticket.phone, ticket.issue)
    if d.settings.messaging.solved and record is not None:
        Queue(QUEUE, connection=d.redis).enqueue(
            "messaging.jobs.ticket_solved", ticket.phone, ticket.issue,
            str(record.get("call") or ""), str(record.get("language") or ""),
            str(record.get("menu_version") or ""), str(record.get("called") or ""))
