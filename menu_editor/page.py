"""The menu editor page: the draft as a diagram of editable nodes, its problems beside each
node while the admin types, save and publish, compare with the published version, roll back,
and a caller simulator over what is on the screen. Signed in with the agent page's session."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from core.access import Role
from core.api import current_grant
from core.deps import deps
from core.errors import Conflict, MenuInvalid, MenuProblem, NotFound
from core.page_access import page_allow
from ivr import menu_trial, menu_yaml
from ivr.menu_loader import load_menu, problems_in
from ivr.menu_rules import problem_report
from ivr.menu_versions import MenuVersions
from ivr.menus_api import EXTENSION
from ivr.navigation import CallerInput
from menu_editor import form_tree, forms

CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; connect-src 'self'; "
                           "style-src 'self' 'unsafe-inline'; img-src 'self'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
"""The browser policy of every page, plus this page's own script and its fetches."""
HISTORY_SHOWN = 12
"""Audit entries the page lists; the API and `hotline menu versions` give them all."""
TYPED_CONFIDENCE = 0.9
"""How sure the simulated speech recogniser is of words typed into the simulator."""

bp = Blueprint("menu_editor", __name__, url_prefix="/admin/menus",
               template_folder="templates", static_folder="static")


def versions() -> MenuVersions:
    found: MenuVersions = current_app.extensions[EXTENSION]
    return found


bp.before_request(forms.allow_large_forms)


@bp.after_request
def policy(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


@bp.get("")
@page_allow(Role.ADMIN)
def editor() -> str:
    source, revision = _working()
    problems = problems_in(source)
    return _render(source, revision, problems)


@bp.post("/check")
@page_allow(Role.ADMIN)
def check() -> Response:
    """The problems of the draft as the form now has it, for the page to show while typing."""
    source, problems = _edited(request.form)
    return jsonify({"problems": [_report(p) for p in problems]})


@bp.post("/save")
@page_allow(Role.ADMIN)
def save() -> str | WerkzeugResponse:
    """Save the form over the draft at the revision the page was built on; publish it too
    when asked and it keeps every rule."""
    action = request.form.get("action", "save")
    source, _ = _edited(request.form, grow=action)
    return _store(source, action == "publish")


@bp.post("/source")
@page_allow(Role.ADMIN)
def save_source() -> str | WerkzeugResponse:
    """Save the YAML typed in the source view as the draft."""
    return _store(request.form.get("source", ""), request.form.get("action") == "publish")


@bp.post("/try")
@page_allow(Role.ADMIN)
def try_draft() -> Response:
    """Play a simulated call through the tree as the form now has it."""
    source, problems = _edited(request.form)
    if problems:
        return jsonify({"lines": [], "ended": False,
                        "problems": [_report(p) for p in problems]})
    trial = menu_trial.play(load_menu(source), _inputs(request.form.get("inputs", "[]")),
                            deps().clock.now(), deps().settings.public_url)
    return jsonify({"lines": [{"kind": line.kind, "text": line.text} for line in trial.lines],
                    "ended": trial.ended, "problems": []})


@bp.post("/rollback")
@page_allow(Role.ADMIN)
def rollback() -> WerkzeugResponse:
    version = request.form.get("version", "")
    try:
        menu = versions().rollback(version, current_grant().name,
                                   request.form.get("expected_active") or None)
    except (NotFound, Conflict) as refused:
        flash(f"Not rolled back: {refused}", "error")
    else:
        flash(f"Rolled back: new calls now get version {menu.version}.", "notice")
    return redirect(url_for("menu_editor.editor"))


@bp.get("/compare")
@page_allow(Role.ADMIN)
def compare() -> str:
    old = request.args.get("from", "active")
    new = request.args.get("to", "draft")
    try:
        lines = versions().diff(old, new)
    except NotFound as missing:
        lines, old = [str(missing)], ""
    return render_template("menu_editor/compare.html", lines=lines, old=old, new=new)


def _store(source: str, publish: bool) -> str | WerkzeugResponse:
    v, by = versions(), current_grant().name
    revision = _revision(request.form.get("revision", ""))
    try:
        saved = v.save_draft(source, revision, by)
        if publish:
            menu = v.publish_draft(saved.revision, by)
            flash(f"Published: new calls now get version {menu.version}.", "notice")
        else:
            flash(f"Draft saved (revision {saved.revision}).", "notice")
    except Conflict as conflict:
        return _render(source, revision, problems_in(source), f"Not saved: {conflict}")
    except MenuInvalid as invalid:
        return _render(source, revision + 1, invalid.problems,
                       "Saved as a draft but not published: fix the problems shown first.")
    return redirect(url_for("menu_editor.editor"))


def _render(source: str, revision: int, problems: list[MenuProblem],
            error: str | None = None) -> str:
    v = versions()
    tree = _tree(source)
    by_node: dict[str, list[dict[str, str | None]]] = defaultdict(list)
    for problem in problems:
        by_node[problem.node].append(_report(problem))
    bad_fields = {report["field"] for reports in by_node.values() for report in reports}
    return render_template(
        "menu_editor/editor.html", tree=tree, rows=form_tree.layout(tree),
        nodes=form_tree.nodes_of(tree), options_of=form_tree.options_of,
        languages=_languages(tree), outcome_kinds=form_tree.OUTCOME_KINDS,
        outcome_text=form_tree.outcome_text, problems=by_node, source=source,
        revision=revision, draft=v.draft(), published=v.published(),
        history=v.history()[:HISTORY_SHOWN],
        active=v.menus.active_version(), error=error,
        admin=current_grant().name, bad_fields=bad_fields)


def _report(problem: MenuProblem) -> dict[str, str | None]:
    """A problem as the API reports it, plus the form field it is about (if any)."""
    return {**problem_report(problem), "field": form_tree.field_of(problem.node, problem.where)}


def _working() -> tuple[str, int]:
    """The draft and its revision, or the active version's source when there is no draft."""
    draft = versions().draft()
    if draft is not None:
        return draft.source, draft.revision
    return versions().source("active"), 0


def _edited(form: Any, grow: str = "") -> tuple[str, list[MenuProblem]]:
    """The draft with the form's fields written in (and the option or node `grow` asks for:
    `add-option|<node>`, `add-node`), and every problem it has."""
    source, _ = _working()
    tree = _tree(source)
    if tree is None:
        return source, problems_in(source)
    edited, unread = form_tree.apply(tree, form)
    form_tree.grow(edited, grow, _languages(edited))
    new_source = menu_yaml.dump(edited)
    return new_source, unread + problems_in(new_source)


def _tree(source: str) -> Any:
    try:
        tree = menu_yaml.parse(source, "the draft")
    except MenuInvalid:
        return None
    return tree if isinstance(tree, dict) else None


def _languages(tree: Any) -> list[str]:
    languages = tree.get("languages") if isinstance(tree, dict) else None
    return [str(code) for code in languages] if isinstance(languages, dict) else []


def _revision(raw: str) -> int:
    return int(raw) if raw.isdigit() else -1


def _inputs(raw: str) -> list[CallerInput]:
    """The simulator's inputs so far: `{"keys": "1"}` or `{"words": "my bill"}` each."""
    try:
        given = json.loads(raw)
    except ValueError:
        return []
    found = []
    for item in given if isinstance(given, list) else []:
        if isinstance(item, dict) and isinstance(item.get("keys"), str):
            found.append(CallerInput(item["keys"][:32], "", None))
        elif isinstance(item, dict) and isinstance(item.get("words"), str):
            found.append(CallerInput("", item["words"][:1000], TYPED_CONFIDENCE))
    return found
