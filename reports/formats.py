"""A report as a person reads it in a terminal (a table) or a spreadsheet (CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

FIGURES = (
    ("calls_received", "calls received", "count"),
    ("ivr_completion", "IVR completion", "share"),
    ("abandoned_in_menu_rate", "abandoned in menu", "share"),
    ("offered_to_queue", "offered to queue", "count"),
    ("answered", "answered", "count"),
    ("abandoned_on_hold_rate", "abandoned on hold", "share"),
    ("average_speed_of_answer", "average speed of answer", "seconds"),
    ("service_level", "service level", "share"),
    ("average_handle_time", "average handle time", "seconds"),
    ("callbacks_promised", "callbacks promised", "count"),
    ("callback_success", "callback success", "share"),
    ("time_to_callback", "time to callback", "seconds"),
    ("first_contact_resolution", "first-contact resolution", "share"),
    ("csat_average", "CSAT (1-5)", "number"),
    ("csat_satisfied", "CSAT satisfied (4-5)", "share"),
    ("sla_first_response_breached", "SLA first response breached", "count"),
    ("sla_resolution_breached", "SLA resolution breached", "count"),
    ("sla_overdue", "SLA overdue now", "count"),
    ("sla_at_risk", "SLA at risk", "count"),
)
"""The figures shown as columns or rows, in order: key, label, kind."""


def shown(value: Any, kind: str) -> str:
    """A figure as text: shares in per cent, seconds with an s, nothing as a dash."""
    if value is None:
        return "-"
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "seconds":
        return f"{value:.1f} s"
    return str(value)


def columns(report: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(name, figures) per column: the totals, then each group of the breakdown."""
    groups = report.get("groups", {})
    return [("total", report["totals"]), *groups.items()]


def table(report: Mapping[str, Any]) -> str:
    cols = columns(report)
    rows = [["", *[name for name, _ in cols]]]
    rows += [[label, *[shown(figures[key], kind) for _, figures in cols]]
             for key, label, kind in FIGURES]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"Hotline report {report['from']} to {report['to']}"
             + (f", by {report['by']}" if report.get("by") else "")]
    for label, *cells in rows:
        lines.append("  ".join([label.ljust(widths[0]),
                                *[c.rjust(w) for c, w in zip(cells, widths[1:], strict=True)]]))
    watch = report["totals"]["sla_watch"]
    if watch:
        lines += ["", "SLA watch (overdue and at risk):"]
        lines += [f"  ticket {i['ticket']}  {i['target']:<14}  {i['state']:<8}  due {i['due']}"
                  f"  {i['queue'] or '-'}  {i['priority'] or '-'}" for i in watch]
    return "\n".join(lines) + "\n"


def csv_text(report: Mapping[str, Any]) -> str:
    """One row per column of the table (the totals, then each group), raw values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["group", *[key for key, _, _ in FIGURES]])
    for name, figures in columns(report):
        writer.writerow([name, *["" if figures[key] is None else figures[key]
                                 for key, _, _ in FIGURES]])
    return out.getvalue()
