"""The reports API (read-only): a period's KPIs, their breakdown and the SLA watch list."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import Engine

from core.access import Role
from core.api import allow, answer_errors_as_json
from core.deps import deps
from reports.report import ask, build
from tickets_bridge.api import EXTENSION

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports")
answer_errors_as_json(bp)


def engine() -> Engine:
    """The ticket store's engine, which every report reads."""
    store = current_app.extensions[EXTENSION]
    found: Engine = store.engine
    return found


@bp.get("")
@allow(Role.ADMIN, Role.REPORT)
def report() -> Response:
    now = deps().clock.now()
    asked = ask(request.args.get("from"), request.args.get("to"), request.args.get("by"),
                request.args.get("threshold"), now)
    return jsonify(build(engine(), asked, now))
