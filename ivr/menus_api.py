"""JSON API (admin) over the menu's versions: list, read as YAML or JSON, save the draft,
validate without saving, diff, publish and roll back, and the audit log."""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask import Blueprint, Response, current_app, jsonify, request

from core.access import Role
from core.api import allow, answer_errors_as_json, current_grant, error, json_object
from core.errors import Conflict, InvalidInput, MenuInvalid
from ivr import menu_yaml
from ivr.menu import Menu
from ivr.menu_loader import load_menu, problems_in
from ivr.menu_rules import problem_report
from ivr.menu_versions import MenuVersions

EXTENSION = "hotline.menu-versions"

bp = Blueprint("menus_api", __name__, url_prefix="/api/v1/menus")
answer_errors_as_json(bp, not_found_field="version")


def versions() -> MenuVersions:
    found: MenuVersions = current_app.extensions[EXTENSION]
    return found


@bp.errorhandler(MenuInvalid)
def on_invalid_menu(exc: MenuInvalid) -> Response:
    response = error(422, "menu_invalid", f"the menu breaks {len(exc.problems)} rule(s)",
                     "source")
    body = response.get_json()
    body["problems"] = [problem_report(p) for p in exc.problems]
    response.set_data(orjson.dumps(body))
    return response


@bp.errorhandler(Conflict)
def on_conflict(exc: Conflict) -> Response:
    response = error(409, "conflict", str(exc), "revision")
    body = response.get_json()
    body["current"] = exc.current
    response.set_data(orjson.dumps(body))
    return response


@bp.get("")
@allow(Role.ADMIN)
def list_menus() -> Response:
    """The active version, the draft (without its source) and every published version."""
    v = versions()
    draft = v.draft()
    return jsonify({
        "active": v.menus.active_version(),
        "draft": {k: val for k, val in draft.to_dict().items() if k != "source"}
        if draft else None,
        "versions": [p.to_dict() for p in v.published()],
    })


@bp.get("/history")
@allow(Role.ADMIN)
def history() -> Response:
    return jsonify({"entries": versions().history()})


@bp.get("/versions/<name>")
@allow(Role.ADMIN)
def get_version(name: str) -> Response:
    """A version's source (`name`: a version, `active` or `draft`), as YAML (`?format=yaml`,
    the default) or JSON (`?format=json`)."""
    source = versions().source(name)
    wanted = request.args.get("format", "yaml")
    if wanted == "yaml":
        return Response(source, mimetype="application/yaml")
    if wanted != "json":
        raise InvalidInput("format", "must be yaml or json")
    try:
        tree = menu_yaml.parse(source, name)
    except MenuInvalid:
        return error(422, "menu_invalid", "the draft is not readable YAML; get it as yaml",
                     "format")
    return jsonify({"version": name, "tree": tree})


@bp.get("/draft")
@allow(Role.ADMIN)
def get_draft() -> Response:
    v = versions()
    draft = v.draft()
    if draft is None:
        return error(404, "not_found", "there is no draft; save one first", "draft")
    return jsonify({**draft.to_dict(), "problems": _problems(draft.source)})


@bp.put("/draft")
@allow(Role.ADMIN)
def save_draft() -> Response:
    """Save the draft (valid or not) over the revision the client read; 409 if it is stale."""
    body = json_object()
    source = source_in(body)
    saved = versions().save_draft(source, _revision(body), author())
    return jsonify({**saved.to_dict(), "problems": _problems(source)})


@bp.post("/validate")
@allow(Role.ADMIN)
def validate() -> Response:
    """Check a tree without saving it: every problem, each with its node, path and rule."""
    source = source_in(json_object())
    try:
        menu = load_menu(source, "the tree")
    except MenuInvalid as invalid:
        return jsonify({"valid": False, "version": None,
                        "problems": [problem_report(p) for p in invalid.problems]})
    return jsonify({"valid": True, "version": menu.version, "problems": []})


@bp.get("/diff")
@allow(Role.ADMIN)
def diff() -> Response:
    old = request.args.get("from", "active")
    new = request.args.get("to", "draft")
    return jsonify({"from": old, "to": new, "lines": versions().diff(old, new)})


@bp.post("/publish")
@allow(Role.ADMIN)
def publish() -> Response:
    """Publish the draft at `revision`: new calls get it at once, calls under way keep theirs."""
    body = json_object()
    menu = versions().publish_draft(_revision(body), author())
    return jsonify(_published(menu))


@bp.post("/rollback")
@allow(Role.ADMIN)
def rollback() -> Response:
    body = json_object()
    version = body.get("version")
    if not isinstance(version, str) or not version:
        raise InvalidInput("version", "must name a published version")
    expected = body.get("expected_active")
    if expected is not None and not isinstance(expected, str):
        raise InvalidInput("expected_active", "must be a version")
    menu = versions().rollback(version, author(), expected)
    return jsonify(_published(menu))


def source_in(body: dict[str, Any]) -> str:
    """The tree a request sends: `source` (YAML or JSON text) or `tree` (a JSON object)."""
    source, tree = body.get("source"), body.get("tree")
    if (source is None) == (tree is None):
        raise InvalidInput("source", "send the tree as `source` (YAML text) or `tree` (object)")
    if tree is not None:
        if not isinstance(tree, dict):
            raise InvalidInput("tree", "must be an object")
        # The standard library writes any integer JSON could hold; orjson stops at 64 bits.
        return json.dumps(tree, indent=2, ensure_ascii=False)
    if not isinstance(source, str) or not source.strip():
        raise InvalidInput("source", "must be the menu's YAML text")
    return source


def _problems(source: str) -> list[dict[str, str]]:
    return [problem_report(p) for p in problems_in(source, "the draft")]


def _revision(body: dict[str, Any]) -> int:
    revision = body.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
        raise InvalidInput("revision", "must be the draft's revision you started from "
                           "(0 when there was no draft)")
    return revision


def author() -> str:
    """Who a change is by: the holder of the request's token (an admin's own token names them;
    HOTLINE_ADMIN_TOKEN is `admin`). A name in the request is not taken on trust."""
    return current_grant().name


def _published(menu: Menu) -> dict[str, object]:
    return {"version": menu.version, "name": menu.name, "nodes": len(menu.nodes)}
