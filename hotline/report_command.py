"""`hotline report`: the service's KPIs for a period, as a table, CSV or JSON."""

from __future__ import annotations

import json

import click

from core.clock import SystemClock
from core.errors import InvalidInput
from hotline.running import command_settings
from reports.formats import csv_text, table
from reports.kpis import DIMENSIONS
from reports.report import ask, build
from tickets_bridge.schema import database_url, open_engine, upgrade


@click.command()
@click.option("--from", "start", help="start, ISO 8601 (a date is its midnight, UTC); "
              "default: today")
@click.option("--to", "end", help="end (exclusive), ISO 8601; default: now")
@click.option("--by", type=click.Choice(DIMENSIONS), help="also show each group")
@click.option("--threshold", help="service level: answered within this many seconds "
              "(default 20)")
@click.option("--format", "form", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True)
def report(start: str | None, end: str | None, by: str | None, threshold: str | None,
           form: str) -> None:
    """KPIs from the ticket store: calls, menu, queue, callbacks, CSAT, SLA (docs/KPIS.md)."""
    settings = command_settings()
    now = SystemClock().now()
    try:
        request = ask(start, end, by, threshold, now)
    except InvalidInput as exc:
        raise click.BadParameter(exc.reason, param_hint=f"--{exc.field}") from None
    engine = open_engine(database_url(settings.database_url, settings.data_dir))
    upgrade(engine)
    try:
        built = build(engine, request, now)
    finally:
        engine.dispose()
    if form == "json":
        click.echo(json.dumps(built, indent=2))
    else:
        click.echo(csv_text(built) if form == "csv" else table(built), nl=False)
