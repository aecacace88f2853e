"""Tickets API: `GET /api/v1/tickets?phone=<E.164>` and `GET /api/v1/tickets/<id>`."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from core.api import error, require_admin_token
from core.deps import deps
from core.phone import parse_caller
from tickets_bridge.store import TicketStore

bp = Blueprint("tickets_api", __name__, url_prefix="/api/v1/tickets")
bp.before_request(require_admin_token)

EXTENSION = "hotline.tickets"


def tickets() -> TicketStore:
    store: TicketStore = current_app.extensions[EXTENSION]
    return store


@bp.get("")
def list_tickets() -> Response:
    raw = request.args.get("phone", "").strip()
    if not raw:
        return error(400, "missing_field", "phone: required, in E.164 (+14155550123)", "phone")
    phone = parse_caller(raw, deps().settings.default_region)
    if phone is None:
        return error(400, "invalid_field", f"phone: {raw!r} is not a phone number", "phone")
    return jsonify({"tickets": [t.to_dict() for t in tickets().for_phone(phone.e164)]})


@bp.get("/<ticket_id>")
def get_ticket(ticket_id: str) -> Response:
    if not ticket_id.isdigit():
        return error(400, "invalid_field", "id: must be a whole number", "id")
    ticket = tickets().get(int(ticket_id))
    if ticket is None:
        return error(404, "not_found", f"no ticket {ticket_id}", "id")
    return jsonify(ticket.to_dict())


@bp.errorhandler(HTTPException)
def on_http_error(exc: HTTPException) -> Response:
    return error(exc.code or 400, "bad_request", exc.description or "bad request")
