"""The switches page: opening hours per line, outage notices per language and the VIP list,
each changed at once for the next call, with the audit log of who changed what. Forms only."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from core.access import Role
from core.api import current_grant
from core.errors import InvalidInput
from core.page_access import page_allow
from ivr.switches_api import line_of, live_menu, number_of, switches
from menu_editor import forms

bp = Blueprint("switches_page", __name__, url_prefix="/admin/switches",
               template_folder="templates")
bp.before_request(forms.allow_large_forms)


@bp.get("")
@page_allow(Role.ADMIN)
def page() -> str:
    return render_template("menu_editor/switches.html", state=switches().state(),
                           history=switches().history()[:20], menu=live_menu(),
                           admin=current_grant().name)


@bp.post("/hours")
@page_allow(Role.ADMIN)
def set_hours() -> WerkzeugResponse:
    form = request.form
    body = {"timezone": form.get("timezone", ""), "open": form.get("open", ""),
            "days": form.get("days", ""), "holidays": form.get("holidays", "") or "none",
            "closures": [day.strip() for day in form.get("closures", "").split(",")
                         if day.strip()]}
    return _done(lambda: switches().set_hours(line_of(form.get("line", "")), body,
                                              live_menu(), current_grant().name),
                 "Opening hours saved; the next call follows them.")


@bp.post("/hours/clear")
@page_allow(Role.ADMIN)
def clear_hours() -> WerkzeugResponse:
    return _done(lambda: switches().clear_hours(request.form.get("line", ""),
                                                current_grant().name), "Opening hours cleared.")


@bp.post("/outages")
@page_allow(Role.ADMIN)
def flag_outage() -> WerkzeugResponse:
    form = request.form
    return _done(lambda: switches().flag_outage(
        form.get("category", "").strip(), form.get("message", ""),
        form.get("language") or None, live_menu(), current_grant().name),
        "Outage flagged; callers hear it from the next call.")


@bp.post("/outages/clear")
@page_allow(Role.ADMIN)
def clear_outage() -> WerkzeugResponse:
    form = request.form
    return _done(lambda: switches().clear_outage(form.get("category", ""),
                                                 form.get("language") or None,
                                                 current_grant().name), "Outage cleared.")


@bp.post("/vip")
@page_allow(Role.ADMIN)
def add_vip() -> WerkzeugResponse:
    return _done(lambda: switches().add_vip(number_of(request.form.get("number", "")),
                                            current_grant().name), "Number added to the VIP list.")


@bp.post("/vip/remove")
@page_allow(Role.ADMIN)
def remove_vip() -> WerkzeugResponse:
    return _done(lambda: switches().remove_vip(request.form.get("number", ""),
                                               current_grant().name), "Number removed.")


def _done(change: Callable[[], object], notice: str) -> WerkzeugResponse:
    """Make `change`, then back to the page saying what happened."""
    try:
        changed = change()
    except InvalidInput as invalid:
        flash(f"Not changed: {invalid}", "error")
    else:
        flash(notice if changed is not False else "Nothing to change: it was not set.",
              "notice" if changed is not False else "error")
    return redirect(url_for("switches_page.page"))
