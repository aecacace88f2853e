"""The menu editor, driven in real headless Chromium against a real server on loopback: an
admin changes a prompt, sees the problem of a bad target beside its node while typing, fixes
it, tries the draft, publishes and rolls back; simulated calls hear each version in turn, and a
call that started before the rollback keeps the version it started on."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Page, expect

from core.access import Role
from ivr.menu_loader import example_menu_path
from simulator.caller import CallSimulator
from simulator.inputs import HangUp, Press
from simulator.transports import FlaskTransport
from tests.ivr_app import SMALL_MENU, make_app
from tests.signing_in import bearer_of, form_token, issue_token, sign_in
from tests.test_menus_api import NEW_PROMPT, OLD_PROMPT
from tests.tickets.test_agent_page import browser_page, serving
from tests.twilio_requests import AUTH_TOKEN, PUBLIC_URL, TwilioCall


def _heard_by_a_new_call(app: Flask) -> list[str]:
    """What the caller simulator hears Hotline say on a new call that picks English, then
    hangs up."""
    transport = FlaskTransport(app.test_client(), PUBLIC_URL)
    sim = CallSimulator(transport, PUBLIC_URL, AUTH_TOKEN, inputs=[Press("1"), HangUp()],
                        out=lambda line: None)
    return [line.partition("): ")[2] for line in sim.run().heard
            if line.startswith("Hotline says")]


def _sign_in(page: Page, base: str, app: Flask) -> None:
    """Maria, an admin with a token of her own, signs in to the editor."""
    page.goto(f"{base}/admin/menus")
    assert "/agent/login" in page.url
    page.fill("#token", issue_token(app, Role.ADMIN, "maria"))
    page.click("#sign-in")
    assert page.url == f"{base}/admin/menus"


def test_an_admin_edits_publishes_and_rolls_back_in_the_browser(redis_url: str) -> None:
    app = make_app(redis_url)
    first = app.extensions["hotline.menus"].active_version()
    with serving(app) as base, browser_page() as page:
        _sign_in(page, base, app)
        page.fill('textarea[name="prompt|main|en"]', NEW_PROMPT)
        page.fill('input[name="goto|main|0"]', "bills")
        problems = page.locator("#problems-main li")
        expect(problems).to_have_text(
            ["goto names no node: 'bills' (unknown-target, nodes.main.options[0].goto)"])
        expect(page.locator("#status")).to_have_text("2 problem(s)")  # and billing unreachable
        target = page.locator('input[name="goto|main|0"]')
        expect(target).to_have_attribute("aria-invalid", "true")
        page.fill('input[name="goto|main|0"]', "billing")
        expect(problems).to_have_count(0)
        expect(target).not_to_have_attribute("aria-invalid", "true")
        expect(page.locator("#status")).to_have_text("No problems")

        page.click("#sim-start")
        page.click('.keypad button[data-key="1"]')
        prompts = page.locator("#sim-lines li.kind-prompt")
        expect(prompts.last).to_have_text(f"Hotline: {NEW_PROMPT}")
        page.fill("#sim-words", "my invoice is wrong")
        page.press("#sim-words", "Enter")
        expect(page.locator("#sim-lines li.kind-decision")).to_contain_text("billing/dispute")
        expect(page.locator("#sim-ended")).to_be_visible()
        assert app.extensions["hotline.menus"].active_version() == first  # only tried

        page.click("#publish")
        expect(page.locator("#flash")).to_contain_text("Published")
        published = page.inner_text("#active-version")
        assert published != first
        assert NEW_PROMPT in _heard_by_a_new_call(app)

        before = TwilioCall(app.test_client())  # in the menu when the admin rolls back
        before.start()
        page.click(f"#rollback-{first}")
        expect(page.locator("#flash")).to_contain_text(f"Rolled back: new calls now get "
                                                       f"version {first}")
        expect(page.locator("#active-version")).to_have_text(first)
        heard = _heard_by_a_new_call(app)
        assert OLD_PROMPT in heard and NEW_PROMPT not in heard
        assert before.press("1").says()[0] == NEW_PROMPT

        expect(page.locator("#menu-history tr").first.locator("td")).to_have_text(
            [re.compile(r"^2026-11-24 15:00$"), "maria", f"rolled back {first}"])
        page.click("#compare")
        diff = page.locator("#diff span")
        expect(diff.filter(has_text=OLD_PROMPT)).to_have_text(f"-      en: {OLD_PROMPT}")
        expect(diff.filter(has_text=NEW_PROMPT)).to_have_text(f"+      en: {NEW_PROMPT}")
        expect(diff.filter(has_text=re.compile(r"^[+-] "))).to_have_count(2)


def test_a_stale_page_cannot_overwrite_a_newer_draft(redis_url: str) -> None:
    app = make_app(redis_url)
    with serving(app) as base, browser_page() as page:
        _sign_in(page, base, app)
        source = SMALL_MENU.read_text(encoding="utf-8").replace(OLD_PROMPT, "Saved first.")
        saved = app.test_client().put("/api/v1/menus/draft", json={  # while maria's is open
            "source": source, "revision": 0}, headers=bearer_of(app, Role.ADMIN, "omar"))
        assert saved.status_code == 200
        page.fill('textarea[name="prompt|main|en"]', "Saved second.")
        page.click("#save")
        expect(page.locator("#error")).to_have_text(re.compile(
            r"^Not saved: the draft is at revision 1 \(saved by omar at .*\), not 0"))
        page.goto(f"{base}/admin/menus")
        expect(page.locator('textarea[name="prompt|main|en"]')).to_have_value("Saved first.")


def test_the_editor_needs_sign_in_and_its_form_token(redis_url: str) -> None:
    app = make_app(redis_url)
    client = app.test_client()
    assert client.get("/admin/menus").headers["Location"].startswith("/agent/login")
    assert client.post("/admin/menus/save", data={"revision": "0"}).status_code == 401
    sign_in(client, issue_token(app, Role.ADMIN, "maria"))
    page = client.get("/admin/menus")
    assert page.status_code == 200 and "script-src 'self'" in page.headers[
        "Content-Security-Policy"]
    forged = client.post("/admin/menus/rollback", data={"version": "x"})
    assert forged.status_code == 400 and "reload the page" in forged.get_data(as_text=True)


def test_a_form_with_a_field_per_value_of_a_large_tree_is_read(redis_url: str) -> None:
    app = make_app(redis_url)
    client = app.test_client()
    sign_in(client, issue_token(app, Role.ADMIN, "maria"))
    token = form_token(client, "/admin/menus")
    fields = {f"prompt|node{i}|en": "Press 1." for i in range(3000)}  # nodes it has not
    fields["goto|main|0"] = "bills"
    reply = client.post("/admin/menus/check", data=fields, headers={"X-CSRF-Token": token})
    assert reply.status_code == 200
    assert reply.get_json()["problems"][0]["message"] == "goto names no node: 'bills'"


def test_saving_the_example_unchanged_changes_nothing(redis_url: str) -> None:
    app = make_app(redis_url, menu_file=example_menu_path())
    with serving(app) as base, browser_page() as page:
        _sign_in(page, base, app)
        expect(page.locator("#status")).to_have_text("No problems")
        page.click("#save")
        expect(page.locator("#flash")).to_have_text("Draft saved (revision 1).")
        page.click("#compare")
        expect(page.locator("#diff")).to_have_text("No differences.")


def test_phrases_and_outcomes_typed_in_are_what_the_simulator_follows(redis_url: str) -> None:
    app = make_app(redis_url)
    with serving(app) as base, browser_page() as page:
        _sign_in(page, base, app)
        page.fill('input[name="phrases|main|0|en"]', "billing, invoice, bill, statement")
        page.fill('input[name="outcome|billing|0|route"]',
                  "{issue: billing/dispute, queue: billing, tier: L2, skills: [billing]}")
        page.click("#sim-start")
        page.click('.keypad button[data-key="1"]')
        page.fill("#sim-words", "my statement")  # the phrase just added leads to billing
        page.press("#sim-words", "Enter")
        expect(page.locator("#sim-lines li").last).to_have_text(
            "Hotline: For a wrong charge, press 1. To leave a message, press 2. "
            "For our hours, press 3.")
        page.click('.keypad button[data-key="1"]')
        expect(page.locator("#sim-lines li.kind-decision")).to_have_text(
            "Decision: billing/dispute at normal priority to queue billing (L2)")
        page.fill('input[name="outcome|billing|0|route"]', "{issue: [")
        expect(page.locator('input[name="outcome|billing|0|route"]')).to_have_attribute(
            "aria-invalid", "true")
        page.fill('input[name="default|language|goto"]', "mian")
        expect(page.locator('input[name="default|language|goto"]')).to_have_attribute(
            "aria-invalid", "true")
        expect(page.locator("#problems-language li")).to_have_text(
            ["goto names no node: 'mian' (unknown-target, nodes.language.default.goto)"])


def test_an_admin_adds_a_node_and_an_option_leading_to_it(redis_url: str) -> None:
    app = make_app(redis_url)
    with serving(app) as base, browser_page() as page:
        _sign_in(page, base, app)
        page.click("#add-node")
        expect(page.locator("#flash")).to_have_text("Draft saved (revision 1).")
        expect(page.locator("#node-node_1 h3")).to_have_text("not reached → node_1")
        expect(page.locator("#problems-node_1 li").first).to_be_visible()
        page.fill('textarea[name="prompt|node_1|en"]', "For a new line, press 1.")
        page.fill('textarea[name="prompt|node_1|es"]', "Para una línea nueva, oprima 1.")
        page.fill('input[name="label|node_1|0"]', "New line")
        page.fill('input[name="goto|node_1|0"]', "technical")
        page.click("#add-option-main")
        expect(page.locator('input[name="key|main|2"]')).to_have_value("3")
        page.fill('input[name="label|main|2"]', "New line")
        page.fill('input[name="goto|main|2"]', "node_1")
        expect(page.locator("#status")).to_have_text("No problems")
        page.click("#publish")
        expect(page.locator("#flash")).to_contain_text("Published")
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    assert call.press("3").says() == ["For a new line, press 1."]
