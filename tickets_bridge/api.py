"""Tickets API for agents: list and read tickets, add internal notes, wrap up."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from rq import Queue

from core.api import answer_errors_as_json, json_object, require_admin_token
from core.caller_record import forget_open_ticket, note_open_ticket_change, open_ticket
from core.deps import deps
from core.errors import InvalidInput, NotFound
from core.phone import parse_caller
from tickets_bridge.desk import Desk, WrapUp
from tickets_bridge.jobs import QUEUE, enqueue_delivery
from tickets_bridge.store import TicketStore
from tickets_bridge.ticket import Ticket

bp = Blueprint("tickets_api", __name__, url_prefix="/api/v1/tickets")
bp.before_request(require_admin_token)
answer_errors_as_json(bp)

EXTENSION = "hotline.tickets"
BRIDGES = "hotline.bridges"
FILTERS = ("phone", "status", "queue", "assignee")


def tickets() -> TicketStore:
    store: TicketStore = current_app.extensions[EXTENSION]
    return store


def desk() -> Desk:
    return Desk(tickets(), current_app.extensions.get(BRIDGES, []), deps().clock)


@bp.get("")
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
    return jsonify({"tickets": [t.to_dict() for t in tickets().search(equal)]})


@bp.get("/<ticket_id>")
def get_ticket(ticket_id: str) -> Response:
    ticket = tickets().get(_id(ticket_id))
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    return jsonify(ticket.to_dict())


@bp.post("/<ticket_id>/notes")
def add_note(ticket_id: str) -> Response:
    body = json_object()
    text, author = body.get("text"), body.get("author")
    if not isinstance(text, str):
        raise InvalidInput("text", "required text")
    if author is not None and not isinstance(author, str):
        raise InvalidInput("author", "must be text")
    entry, queued = desk().add_note(_id(ticket_id), text, author)
    if queued:
        _deliver(_id(ticket_id))
    response = jsonify(entry)
    response.status_code = 201
    return response


@bp.patch("/<ticket_id>")
def wrap_up(ticket_id: str) -> Response:
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
