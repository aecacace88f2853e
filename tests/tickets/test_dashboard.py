"""The service dashboard in real headless Chromium, on the hand-counted hour of
tests/tickets/kpi_day.py: the tiles, the three charts and the SLA watch list."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from core.access import Role
from core.clock import FixedClock
from tests.signing_in import issue_token
from tests.tickets.kpi_day import at, play_hour
from tests.tickets.test_agent_page import browser_page, serving
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

HOUR = "from=2026-11-24T18:00:00Z&to=2026-11-24T19:00:00Z"


def test_dashboard_shows_the_hand_counted_hour(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock, tmp_path: Path
) -> None:
    play_hour(app, projector, store, clock)
    clock.set(at(4 * 60 + 15))  # 22:15: B's first response overdue, E's at risk
    with serving(app) as base, browser_page() as page:
        page.goto(f"{base}/reports?{HOUR}&by=agent")
        assert "/agent/login" in page.url
        page.fill("#token", issue_token(app, Role.REPORT, "lead"))
        page.click("#sign-in")
        assert "/reports?" in page.url
        tile = {key: page.inner_text(f"#tile-{key} .value") for key in (
            "calls_received", "service_level", "average_speed_of_answer",
            "abandoned_on_hold_rate", "abandoned_in_menu_rate", "ivr_completion",
            "average_handle_time", "first_contact_resolution", "csat_average",
            "callback_success", "sla_overdue", "sla_at_risk")}
        assert tile == {
            "calls_received": "6", "service_level": "33.3%",  # A within 20 s, of A, B, C
            "average_speed_of_answer": "20.0 s",  # (10 + 30) / 2
            "abandoned_on_hold_rate": "33.3%", "abandoned_in_menu_rate": "16.7%",  # B; D
            "ivr_completion": "66.7%",  # A, B, C, F
            "average_handle_time": "120.0 s",  # (180 + 120 + 60) / 3
            "first_contact_resolution": "33.3%",  # A of A, C, F
            "csat_average": "3.5", "callback_success": "100.0%",
            "sla_overdue": "1", "sla_at_risk": "1"}  # B; E
        bar_titles = page.locator("#chart-hours svg rect title").all_text_contents()
        assert "calls 18:00: 6" in bar_titles and "abandoned 18:00: 2" in bar_titles  # D, B
        waits = page.locator("#chart-waits svg rect title").all_text_contents()
        assert "answered calls ≤20 s: 1" in waits and "answered calls ≤60 s: 1" in waits
        funnel = page.locator("#chart-menu svg rect title").all_text_contents()
        assert "main: 1 hung up" in funnel and "main: 1 pressed 0" in funnel
        assert "main: 4 went on" in funnel and "billing: 3 went on" in funnel
        watch = page.locator("#sla-watch tbody tr").all_inner_texts()
        assert len(watch) == 2
        assert "first response" in watch[0] and "overdue" in watch[0]
        assert "at risk" in watch[1]
        assert "ana" in page.inner_text("#breakdown thead")
        page.screenshot(path=os.environ.get("HOTLINE_TEST_SCREENSHOT",
                                            str(tmp_path / "dashboard.png")), full_page=True)
        page.goto(f"{base}/reports?from=someday")
        assert page.inner_text("#error") == "from: must be an ISO 8601 date or time, e.g. " \
            "2026-11-24 or 2026-11-24T18:00:00Z"
