"""The agent's page, driven in real headless Chromium against a real server on loopback."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from core.access import Role
from tests.queues.conftest import put_on_shift
from tests.signing_in import issue_token, sign_in
from tests.tickets.test_projection import billing_call, drain
from tests.twilio_requests import TwilioCall
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

CHROMIUM = os.environ.get("HOTLINE_TEST_CHROMIUM", "/usr/bin/chromium")
# This machine's network is closed: keep Chromium from reaching out at start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def browser_page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_agent_sees_who_why_priority_transcript_history_and_adds_a_note(
    app: Flask, projector: Projector, store: TicketStore, tmp_path: Path
) -> None:
    app.extensions[EXTENSION] = store
    earlier = billing_call(app)
    drain(projector)
    [old] = store.for_phone(earlier.caller)
    store_id = old.id
    # A later call about something else, from the same number, routed to Ana.
    put_on_shift(app.extensions["hotline"].redis, "ana", "L2", ["internet"], 0.0)
    token = issue_token(app, Role.AGENT, "ana")
    call = TwilioCall(app.test_client())
    call.start_menu()
    call.press("1")
    call.say("my internet is down, it is urgent")  # routed at once: the words name the leaf
    dial = call.post("/queues/enter", call.form()).xml.find("Dial/Client")
    assert dial is not None and dial.text == "ana"
    drain(projector)
    ticket_id = store.ticket_id_for_call(call.sid)
    with serving(app) as base, browser_page() as page:
        page.goto(f"{base}/agent/tickets/{ticket_id}")
        assert "/agent/login" in page.url
        page.fill("#token", "wrong")
        page.click("#sign-in")
        assert page.inner_text("#error") == "That token is not valid."
        page.fill("#token", token)
        page.click("#sign-in")
        assert page.url.endswith(f"/agent/tickets/{ticket_id}")
        assert page.inner_text("#who") == "ana"
        assert page.inner_text("#caller") == "+14155550123"
        assert page.inner_text("#issue") == "technical/internet"
        assert page.inner_text("#priority") == "high"
        assert page.inner_text("#queue") == "L2 tech"
        # Why they called comes first: their words, the menu path, what made it urgent.
        assert page.inner_text("#their-words").startswith("“my internet is down, it is urgent”")
        assert page.locator("#chosen").count() == 0  # routed by their words alone
        assert page.inner_text("#raised-by") == "Priority raised to high: urgent words."
        rows = page.locator("#transcript tbody tr").all_inner_texts()
        assert any("my internet is down, it is urgent" in row for row in rows)
        assert any("decision" in row and "technical/internet" in row for row in rows)
        assert f"#{store_id} billing/dispute" in page.inner_text("#earlier")
        page.fill("#note", "Router replaced last week; check the line first.")
        page.click("#add-note")
        notes = page.locator("#transcript tr.kind-note").all_inner_texts()
        assert any("note (internal)" in n and "Router replaced" in n for n in notes)
        page.screenshot(path=os.environ.get("HOTLINE_TEST_SCREENSHOT",
                                            str(tmp_path / "agent-page.png")), full_page=True)
    saved = store.get(ticket_id or 0)
    assert saved is not None
    [note] = [e for e in saved.transcript if e["text"].startswith("Router replaced")]
    assert note["author"] == "ana" and note["internal"] is True


def test_a_repeat_callers_ticket_shows_each_calls_menu_path_first(
    app: Flask, projector: Projector, store: TicketStore,
) -> None:
    app.extensions[EXTENSION] = store
    for _ in range(2):  # the second call, about the same issue, joins the same ticket
        call = TwilioCall(app.test_client())
        call.start_menu()
        for key in "111":  # English, billing, a wrong charge
            call.press(key)
        call.hang_up()
        drain(projector)
    [ticket] = store.for_phone(call.caller)
    client = app.test_client()
    sign_in(client, issue_token(app, Role.ADMIN, "maria"))
    page = client.get(f"/agent/tickets/{ticket.id}").get_data(as_text=True)
    why = page[page.index('<section id="reason">'):page.index("</section>")]
    assert "Chose in the menu: Billing › Wrong charge; then Billing › Wrong charge." in why
    assert "Nothing said" not in why and 'id="their-words"' not in why
