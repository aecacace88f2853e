"""The agent pages' home and ticket list, in real headless Chromium: an agent finds their own
tickets by number and status, an admin every ticket."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page

from core.access import Role
from tests.signing_in import bearer_of, issue_token
from tests.tickets.test_agent_page import browser_page, serving
from tests.tickets.test_projection import billing_call, drain
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

ANAS, BOS = "+14155550123", "+14155550188"


def _ticket_of(app: Flask, projector: Projector, store: TicketStore, phone: str,
               assignee: str) -> int:
    billing_call(app, caller=phone)
    drain(projector)
    [ticket] = store.for_phone(phone)
    answer = app.test_client().patch(f"/api/v1/tickets/{ticket.id}", json={"assignee": assignee},
                                     headers=bearer_of(app, Role.ADMIN, "lead"))
    assert answer.status_code == 200, answer.get_json()
    return ticket.id


def _sign_in(page: Page, base: str, token: str) -> None:
    page.goto(f"{base}/agent/")
    page.fill("#token", token)
    page.click("#sign-in")
    page.click("#ticket-list")


def _listed(page: Page) -> list[str]:
    return [row.inner_text().split("\t")[0] for row in page.query_selector_all("#tickets tbody tr")]


@pytest.fixture
def two_tickets(app: Flask, projector: Projector, store: TicketStore) -> tuple[int, int]:
    """Ana's ticket and Bo's, from two callers."""
    app.extensions[EXTENSION] = store
    return (_ticket_of(app, projector, store, ANAS, "ana"),
            _ticket_of(app, projector, store, BOS, "bo"))


def test_an_agent_lists_and_searches_their_own_tickets_only(
    app: Flask, two_tickets: tuple[int, int]
) -> None:
    anas, bos = two_tickets
    with serving(app) as base, browser_page() as page:
        _sign_in(page, base, issue_token(app, Role.AGENT, "ana"))
        assert page.inner_text("h1") == "Your tickets"
        assert _listed(page) == [str(anas)]
        opened = page.inner_text("#tickets tbody tr td:nth-child(2)")
        assert opened[:4].isdigit() and opened[4] == "-" and ":" in opened  # a date and a time
        page.fill("#phone", BOS)
        page.click("#find")
        assert page.inner_text("#none") == "No ticket matches."
        page.fill("#phone", "(415) 555-0123")
        page.select_option("#status-filter", "solved")
        page.click("#find")
        assert _listed(page) == []
        page.select_option("#status-filter", "")
        page.click("#find")
        assert _listed(page) == [str(anas)]
        page.click(f"#tickets a:text('{anas}')")
        assert page.url.endswith(f"/agent/tickets/{anas}")
        when = page.inner_text("#transcript tbody td:first-child")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", when), when
    assert bos != anas


def test_an_admin_lists_every_ticket_and_is_told_of_a_number_that_is_none(
    app: Flask, two_tickets: tuple[int, int]
) -> None:
    anas, bos = two_tickets
    with serving(app) as base, browser_page() as page:
        _sign_in(page, base, app.extensions["hotline"].settings.effective_admin_token)
        assert _listed(page) == [str(bos), str(anas)]
        page.fill("#assignee", "bo")
        page.click("#find")
        assert _listed(page) == [str(bos)]
        page.fill("#assignee", "")
        page.fill("#phone", "not a number")
        page.click("#find")
        assert page.inner_text("#search-error") == "'not a number' is not a phone number"
