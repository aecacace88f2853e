"""The hand-counted hour (tests/tickets/kpi_day.py) as `hotline report` prints it and as the
reports API answers."""

from __future__ import annotations

import csv
import io
import json
import re

from click.testing import CliRunner
from flask import Flask

from core.clock import FixedClock
from hotline.cli import main
from tests.ivr_app import make_app
from tests.tickets.kpi_day import AUTH, at, play_hour
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

HOUR = ["--from", "2026-11-24T18:00:00Z", "--to", "2026-11-24T19:00:00Z"]


def report(store: TicketStore, *args: str) -> str:
    env = {"DATABASE_URL": store.engine.url.render_as_string(hide_password=False)}
    result = CliRunner().invoke(main, ["report", *HOUR, *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_hotline_report_prints_the_hand_counted_figures_as_a_table_csv_and_json(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock
) -> None:
    play_hour(app, projector, store, clock)
    lines = report(store).splitlines()
    assert lines[0] == "Hotline report 2026-11-24T18:00:00.000Z to 2026-11-24T19:00:00.000Z"
    rows = dict(re.split(r"\s{2,}", line.strip()) for line in lines[2:21])
    assert rows["calls received"] == "6"
    assert rows["IVR completion"] == "66.7%"  # 4 of 6
    assert rows["abandoned on hold"] == "33.3%"  # B of A, B, C
    assert rows["average speed of answer"] == "20.0 s"  # (10 + 30) / 2
    assert rows["service level"] == "33.3%"  # A within 20 s, of 3 offered
    assert rows["average handle time"] == "120.0 s"  # (180 + 120 + 60) / 3
    assert rows["time to callback"] == "300.0 s"
    assert rows["CSAT (1-5)"] == "3.5"
    assert "SLA watch (overdue and at risk):" in lines

    by_agent = list(csv.DictReader(io.StringIO(report(store, "--by", "agent", "--format",
                                                      "csv"))))
    assert [r["group"] for r in by_agent] == ["total", "-", "ana", "jo"]
    ana = by_agent[2]
    assert (ana["answered"], ana["average_speed_of_answer"], ana["average_handle_time"]) == \
        ("2", "20.0", "150.0")

    totals = json.loads(report(store, "--format", "json"))["totals"]
    assert (totals["calls_received"], totals["callback_success"], totals["csat_satisfied"]) \
        == (6, 1.0, 0.5)
    # Judged now (days after the hour): B's and E's first responses never came, and none
    # but A's ticket is solved, so B, C, E and F missed resolution too.
    assert (totals["sla_first_response_breached"], totals["sla_resolution_breached"]) == (2, 4)


def test_hotline_report_names_a_bad_option(store: TicketStore) -> None:
    env = {"DATABASE_URL": store.engine.url.render_as_string(hide_password=False)}
    result = CliRunner().invoke(main, ["report", "--from", "yesterday"], env=env)
    assert result.exit_code == 2
    assert "--from" in result.output and "ISO 8601" in result.output


def test_the_reports_api_answers_the_hand_counted_figures_per_line(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock
) -> None:
    play_hour(app, projector, store, clock)
    clock.set(at(4 * 60 + 15))  # 22:15: B overdue, E at risk
    client = app.test_client()
    answer = client.get("/api/v1/reports?from=2026-11-24T18:00:00Z&to=2026-11-24T19:00:00Z"
                        "&by=line", headers=AUTH)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["totals"]["calls_received"] == 6
    assert (body["totals"]["sla_overdue"], body["totals"]["sla_at_risk"]) == (1, 1)
    assert sorted(body["groups"]) == ["-", "billing", "general", "tech"]
    assert body["groups"]["billing"]["abandoned_on_hold"] == 1  # B
    assert body["groups"]["tech"]["callbacks_promised"] == 1  # F
    assert body["menu"][1] == {"node": "main", "reached": 6, "hung_up": 1, "pressed_0": 1}


def test_the_reports_api_refuses_without_a_token_and_names_bad_fields(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/api/v1/reports").status_code == 401
    for query, field in (("from=soon", "from"), ("by=colour", "by"), ("threshold=0", "threshold"),
                         ("from=2026-11-25&to=2026-11-24", "to")):
        answer = client.get(f"/api/v1/reports?{query}", headers=AUTH)
        assert answer.status_code == 400, query
        assert answer.get_json()["error"]["field"] == field


def test_metrics_raise_the_sla_alert_before_and_after_a_breach(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock, redis_url: str
) -> None:
    play_hour(app, projector, store, clock)
    url = store.engine.url.render_as_string(hide_password=False)
    scraped_app = make_app(redis_url, clock=clock, database_url=url)  # as serve: one store

    def gauges() -> dict[str, float]:
        scraped = scraped_app.test_client().get("/metrics", headers=AUTH).get_data(as_text=True)
        return {line.split(" ")[0]: float(line.split(" ")[1]) for line in scraped.splitlines()
                if line.startswith("hotline_sla_targets{")}

    try:
        clock.set(at(3 * 60 + 30))  # 21:30: B's first response (due 22:10) is not yet at risk
        assert sum(gauges().values()) == 0
        clock.set(at(4 * 60 + 15))  # 22:15: B overdue, E (due 22:40) at risk
        assert gauges() == {
            'hotline_sla_targets{state="overdue",target="first_response"}': 1.0,
            'hotline_sla_targets{state="at_risk",target="first_response"}': 1.0,
            'hotline_sla_targets{state="overdue",target="resolution"}': 0.0,
            'hotline_sla_targets{state="at_risk",target="resolution"}': 0.0,
        }
    finally:
        scraped_app.extensions[EXTENSION].engine.dispose()
