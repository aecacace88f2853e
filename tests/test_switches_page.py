"""The switches page in real headless Chromium: an admin closes the line for today, flags an
outage in Spanish and adds a VIP; the next calls follow each change at once."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.test_menu_editor_page import _sign_in
from tests.test_opening_hours import _route_to_billing
from tests.test_switches_api import CLOSED, _app
from tests.tickets.test_agent_page import browser_page, serving
from tests.twilio_requests import TwilioCall


def test_an_admin_flips_the_switches_and_the_next_calls_follow(
    redis_url: str, tmp_path: Path
) -> None:
    app = _app(redis_url, tmp_path)
    with serving(app) as base, browser_page() as page:
        _sign_in(page, base, app)
        page.click("#switches")
        page.fill("#hours-timezone", "America/New_York")
        page.fill("#hours-open", "08:00-20:00")
        page.fill("#hours-holidays", "US")
        page.fill("#hours-closures", "2026-11-24")
        page.click("#hours-save")
        expect(page.locator("#flash")).to_have_text(
            "Opening hours saved; the next call follows them.")
        expect(page.locator("#hours td").first).to_have_text("default")
        assert _route_to_billing(app)[1] == [CLOSED]

        page.fill("#outage-category", "technical")
        page.select_option("#outage-language", "es")
        page.fill("#outage-message", "Hay una falla de internet en el norte.")
        page.click("#outage-save")
        call = TwilioCall(app.test_client())
        call.start()
        assert call.press("2").says()[0] == "Hay una falla de internet en el norte."

        page.fill("#vip-number", "hello")
        page.click("#vip-add")
        expect(page.locator("#flash")).to_have_text(
            "Not changed: number: must be a phone number")
        page.fill("#vip-number", "(415) 555-0123")
        page.click("#vip-add")
        expect(page.locator("#vip td").first).to_have_text("+14155550123")
        expect(page.locator("#history tr")).to_have_count(3)
        expect(page.locator("#history tr").first).to_contain_text("maria")

        page.locator("#hours button", has_text="Clear").click()
        expect(page.locator("#flash")).to_have_text("Opening hours cleared.")
        assert _route_to_billing(app)[2] == "/queues/enter"
