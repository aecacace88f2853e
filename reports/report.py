"""One report: a period's figures, their breakdown, and the series the dashboard draws."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine

from core.clock import isoformat
from core.errors import InvalidInput
from reports.kpis import (
    DIMENSIONS,
    Options,
    breakdown,
    by_hour,
    kpis,
    menu_drop_off,
    wait_distribution,
)
from reports.reader import Period, read

MAX_DAYS = 366
"""The longest period one report reads."""

FIRST_YEAR, LAST_YEAR = 1970, 2999
"""Times a report may name: every store can compare them, at any UTC offset."""


@dataclass(frozen=True)
class Request:
    """What a reader of the report asked for, checked."""

    period: Period
    by: str | None = None
    options: Options = Options()


def ask(start: str | None, end: str | None, by: str | None, threshold: str | None,
        now: datetime) -> Request:
    """A report request from text (CLI options, query arguments); InvalidInput names the
    field. The period defaults to today (UTC) until now; a date alone means its midnight."""
    start_at = _moment("from", start) if start else datetime.combine(now.date(), time(), UTC)
    end_at = _moment("to", end) if end else now
    if end_at <= start_at:
        raise InvalidInput("to", "must be later than from")
    if end_at - start_at > timedelta(days=MAX_DAYS):
        raise InvalidInput("to", f"a report spans at most {MAX_DAYS} days")
    if by is not None and by not in DIMENSIONS:
        raise InvalidInput("by", f"must be one of {', '.join(DIMENSIONS)}")
    seconds = Options().threshold
    if threshold is not None:
        if not (threshold.isascii() and threshold.isdigit()) or not 1 <= int(threshold) <= 3600:
            raise InvalidInput("threshold", "must be whole seconds from 1 to 3600")
        seconds = int(threshold)
    return Request(Period(start_at, end_at), by, Options(threshold=seconds))


def build(engine: Engine, request: Request, now: datetime) -> dict[str, Any]:
    """The report as JSON-ready data, SLA targets judged at `now`."""
    data = read(engine, request.period)
    report: dict[str, Any] = {
        "from": isoformat(request.period.start), "to": isoformat(request.period.end),
        "at": isoformat(now),
        "totals": kpis(data.calls, data.tickets, now, request.options),
        "menu": menu_drop_off(data.calls),
        "waits": wait_distribution(data.calls),
        "hours": by_hour(data.calls),
    }
    if request.by:
        report["by"] = request.by
        report["groups"] = breakdown(data.calls, data.tickets, request.by, now, request.options)
    return report


def _moment(field: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(field, "must be an ISO 8601 date or time, e.g. 2026-11-24 or "
                           "2026-11-24T18:00:00Z") from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise InvalidInput(field, f"must be a time from {FIRST_YEAR} to {LAST_YEAR}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
