"""Callbacks API (bearer token): list, read, cancel and reschedule callbacks, and their KPIs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from callbacks import jobs
from callbacks.booking import NotChangeable, cancel, reschedule
from callbacks.kpis import kpis
from callbacks.record import Callback, State
from callbacks.runtime import Runtime
from core.access import Role
from core.api import allow, answer_errors_as_json, error, json_object
from core.clock import isoformat
from core.errors import InvalidInput, NotFound
from core.phone import parse_caller

bp = Blueprint("callbacks_api", __name__, url_prefix="/api/v1/callbacks")
answer_errors_as_json(bp, not_found_field="callback_id")

STATS_WINDOW = 10_000
"""How many of the newest callbacks the KPIs cover."""


@bp.get("")
@allow(Role.ADMIN)
def list_callbacks() -> Response:
    rt = _runtime()
    phone = request.args.get("phone", "").strip()
    state = request.args.get("state", "").strip()
    if state and state not in State.__members__.values():
        raise InvalidInput("state", f"one of {', '.join(s.value for s in State)}")
    if phone:
        caller = parse_caller(phone, rt.settings.default_region)
        if caller is None:
            raise InvalidInput("phone", f"{phone!r} is not a phone number")
        found = rt.store.for_phone(caller.e164)
    else:
        found = rt.store.all(limit=500)
    found = [r for r in found if not state or r.state.value == state]
    return jsonify({"callbacks": [view(r) for r in found]})


@bp.get("/stats")
@allow(Role.ADMIN, Role.REPORT)
def stats() -> Response:
    return jsonify(kpis(_runtime().store.all(limit=STATS_WINDOW)))


@bp.get("/<callback_id>")
@allow(Role.ADMIN)
def get_callback(callback_id: str) -> Response:
    rt = _runtime()
    record = _found(rt, callback_id)
    return jsonify({**view(record), "log": rt.store.log(record.id)})


@bp.post("/<callback_id>/cancel")
@allow(Role.ADMIN)
def cancel_callback(callback_id: str) -> Response:
    rt = _runtime()
    _found(rt, callback_id)
    moved = cancel(rt, callback_id, "through the API")
    return jsonify(view(moved or _found(rt, callback_id)))


@bp.post("/<callback_id>/reschedule")
@allow(Role.ADMIN)
def reschedule_callback(callback_id: str) -> Response:
    body = json_object("a JSON object with `at` is required")
    rt = _runtime()
    _found(rt, callback_id)
    moved = reschedule(rt, callback_id, _when(body.get("at")), "through the API")
    return jsonify(view(moved or _found(rt, callback_id)))


def view(record: Callback) -> dict[str, Any]:
    """A callback as the API shows it."""
    return {
        "id": record.id, "phone": record.phone, "issue": record.issue, "queue": record.queue,
        "tier": record.tier, "skills": list(record.skills), "priority": record.priority,
        "language": record.language, "state": record.state.value, "mode": record.mode.value,
        "promised_at": _at(record.created_at), "due_at": _at(record.due_at),
        "next_try": _at(record.next_try) if record.state is State.RETRY_WAIT else None,
        "attempts": record.attempts, "last_result": record.last_result or None,
        "agent": record.agent or None, "call": record.origin_call,
        "connected_at": _at(record.connected_at) if record.connected_at else None,
        "finished_at": _at(record.finished_at) if record.finished_at else None,
        "follow_up": record.state is State.FAILED,
    }




@bp.errorhandler(NotChangeable)
def on_not_changeable(exc: NotChangeable) -> Response:
    return error(409, "not_changeable", str(exc), "state")



def _when(raw: object) -> datetime:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("at", "required: an ISO 8601 time with its offset, e.g. "
                                 "2026-11-25T14:00:00Z")
    try:
        at = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("at", f"{raw[:40]!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise InvalidInput("at", "needs a UTC offset (Z or +hh:mm)")
    return at.astimezone(UTC)


def _found(rt: Runtime, callback_id: str) -> Callback:
    record = rt.store.get(callback_id) if len(callback_id) <= 64 else None
    if record is None:
        raise NotFound(f"no callback {callback_id!r}")
    return record


def _at(epoch: float) -> str:
    return isoformat(datetime.fromtimestamp(epoch, UTC))


def _runtime() -> Runtime:
    return jobs.current()
