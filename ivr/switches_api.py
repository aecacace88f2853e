"""JSON API (admin) over the operational switches: opening hours per line, outage notices per
language, the VIP list, and their audit log. Every change applies from the next call on."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from core.access import Role
from core.api import allow, answer_errors_as_json, error, json_object
from core.deps import deps
from core.errors import InvalidInput
from core.line_hours import DEFAULT_LINE
from core.phone import parse_caller
from ivr.menu import Menu
from ivr.menu_store import MenuStore
from ivr.menus_api import author
from ivr.switches import Switches

EXTENSION = "hotline.switches"

bp = Blueprint("switches_api", __name__, url_prefix="/api/v1/switches")
answer_errors_as_json(bp)


def switches() -> Switches:
    found: Switches = current_app.extensions[EXTENSION]
    return found


def live_menu() -> Menu:
    store: MenuStore = current_app.extensions["hotline.menus"]
    return store.active()


def line_of(raw: str) -> str:
    """`default`, or the E.164 form of the phone number `raw`; InvalidInput naming `line`."""
    if raw == DEFAULT_LINE:
        return raw
    number = parse_caller(raw, deps().settings.default_region)
    if number is None:
        raise InvalidInput("line", "must be the phone number called, or default")
    return number.e164


@bp.get("")
@allow(Role.ADMIN)
def state() -> Response:
    return jsonify(switches().state())


@bp.get("/history")
@allow(Role.ADMIN)
def history() -> Response:
    return jsonify({"entries": switches().history()})


@bp.put("/hours/<line>")
@allow(Role.ADMIN)
def set_hours(line: str) -> Response:
    body = json_object()
    hours = {k: v for k, v in body.items() if k != "author"}
    stored = switches().set_hours(line_of(line), hours, live_menu(), author())
    return jsonify({"line": line_of(line), "hours": stored})


@bp.delete("/hours/<line>")
@allow(Role.ADMIN)
def clear_hours(line: str) -> Response:
    if not switches().clear_hours(line_of(line), author()):
        return error(404, "not_found", f"line {line!r} has no hours of its own", "line")
    return jsonify({"line": line_of(line), "hours": None})


@bp.put("/outages/<category>")
@allow(Role.ADMIN)
def flag_outage(category: str) -> Response:
    body = json_object()
    message, language = body.get("message"), body.get("language")
    if not isinstance(message, str):
        raise InvalidInput("message", "is required as text")
    if language is not None and not isinstance(language, str):
        raise InvalidInput("language", "must be a language code of the menu")
    switches().flag_outage(category, message, language, live_menu(), author())
    return jsonify({"category": category, "language": language, "message": message.strip()})


@bp.delete("/outages/<category>")
@allow(Role.ADMIN)
def clear_outage(category: str) -> Response:
    language = request.args.get("language") or None
    if not switches().clear_outage(category, language, author()):
        return error(404, "not_found", f"no outage is flagged for {category!r}", "category")
    return jsonify({"category": category, "language": language, "message": None})


@bp.put("/vip/<number>")
@allow(Role.ADMIN)
def add_vip(number: str) -> Response:
    e164 = number_of(number)
    switches().add_vip(e164, author())
    return jsonify({"number": e164, "vip": True})


@bp.delete("/vip/<number>")
@allow(Role.ADMIN)
def remove_vip(number: str) -> Response:
    e164 = number_of(number)
    if not switches().remove_vip(e164, author()):
        return error(404, "not_found", f"{e164} is not on the VIP list", "number")
    return jsonify({"number": e164, "vip": False})


def number_of(raw: str) -> str:
    """The E.164 form of phone number `raw`; InvalidInput naming `number` else."""
    number = parse_caller(raw, deps().settings.default_region)
    if number is None:
        raise InvalidInput("number", "must be a phone number")
    return number.e164



