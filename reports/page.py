"""The dashboard: a period's KPIs as tiles, charts drawn on the server (calls and abandonment
by hour, the wait distribution, the menu funnel) and the SLA watch list. Signed in through
the page sign-in, with an admin or report token."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from core.access import Role
from core.deps import deps
from core.errors import InvalidInput
from core.page_access import page_allow
from reports.api import engine
from reports.charts import Series, bars, funnel
from reports.formats import FIGURES, columns, shown
from reports.kpis import DIMENSIONS
from reports.report import ask, build

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

TILES = ("calls_received", "service_level", "average_speed_of_answer", "abandoned_on_hold_rate",
         "abandoned_in_menu_rate", "ivr_completion", "average_handle_time",
         "first_contact_resolution", "csat_average", "callback_success", "sla_overdue",
         "sla_at_risk")


@bp.get("")
@page_allow(Role.ADMIN, Role.REPORT)
def dashboard() -> str | tuple[str, int] | WerkzeugResponse:
    now = deps().clock.now()
    asked = {name: request.args.get(name) or None for name in ("from", "to", "by")}
    try:
        wanted = ask(asked["from"], asked["to"], asked["by"], None, now)
    except InvalidInput as invalid:
        return render_template("reports/dashboard.html", error=str(invalid), asked=asked,
                               dimensions=DIMENSIONS), 400
    report = build(engine(), wanted, now)
    return render_template("reports/dashboard.html", error=None, asked=asked,
                           dimensions=DIMENSIONS, report=report, tiles=tiles(report),
                           charts=charts(report), figures=FIGURES, columns=columns(report),
                           shown=shown)


def tiles(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, label, value shown) of the headline figures."""
    kinds = {key: (label, kind) for key, label, kind in FIGURES}
    return [(key, kinds[key][0], shown(report["totals"][key], kinds[key][1])) for key in TILES]


def charts(report: dict[str, Any]) -> dict[str, Markup]:
    hours = report["hours"]
    waits = report["waits"]
    wait_labels = [f"≤{w['up_to']} s" if w["up_to"] is not None else
                   f">{waits[-2]['up_to']} s" for w in waits]
    return {
        "hours": bars([h["hour"][11:] for h in hours],
                      [Series("calls", [h["calls"] for h in hours], "calls"),
                       Series("abandoned", [h["abandoned"] for h in hours], "lost")],
                      "Calls and abandoned calls by hour (UTC)"),
        "waits": bars(wait_labels, [Series("answered calls", [w["calls"] for w in waits],
                                           "calls")], "Wait before an agent answered"),
        "menu": funnel(report["menu"], "Menu funnel: callers per node"),
    }
