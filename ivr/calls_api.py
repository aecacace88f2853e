"""Read-only API over live and recent calls: a call's session, decision and transcript."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from core.access import Role
from core.api import allow, answer_errors_as_json, error
from core.deps import deps

bp = Blueprint("calls_api", __name__, url_prefix="/api/v1/calls")
answer_errors_as_json(bp, not_found_field="call_sid")


@bp.get("/<call_sid>")
@allow(Role.ADMIN)
def get_call(call_sid: str) -> Response:
    store = deps().sessions
    session = store.load(call_sid)
    if session is None:
        return error(404, "not_found", f"no call {call_sid!r} is known", "call_sid")
    return jsonify({"call": session.to_dict(), "transcript": store.events(call_sid)})
