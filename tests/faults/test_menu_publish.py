"""A menu published while calls are in it: each live call finishes on the version it started
on (its keys mean what it was told), new calls get the new one, and no step fails."""

from __future__ import annotations

import re

from tests.ivr_app import ADMIN_TOKEN, SMALL_MENU, call_events, make_app
from tests.twilio_requests import TwilioCall

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
OLD_MAIN = "For billing, press 1. For technical support, press 2."
NEW_MAIN = "For technical support, press 1. For billing, press 2."


def swapped_menu() -> str:
    """The test menu with the main question's two keys swapped, as an admin would reorder."""
    source = SMALL_MENU.read_text(encoding="utf-8").replace(OLD_MAIN, NEW_MAIN)
    source = source.replace("goto: billing", "goto: @@").replace("goto: technical",
                                                                 "goto: billing")
    return source.replace("goto: @@", "goto: technical")


def test_calls_keep_their_menu_version_across_a_publish(redis_url: str) -> None:
    app = make_app(redis_url)
    admin = app.test_client()
    in_main, in_billing = TwilioCall(app.test_client()), TwilioCall(app.test_client())
    for call in (in_main, in_billing):
        call.start_menu()
        assert call.press("1").says()[0] == OLD_MAIN  # English
    in_billing.press("1")
    sessions = app.extensions["hotline"].sessions
    first = {call.sid: sessions.load(call.sid).menu_version for call in (in_main, in_billing)}

    saved = admin.put("/api/v1/menus/draft", json={"source": swapped_menu(), "revision": 0},
                      headers=AUTH)
    assert saved.status_code == 200, saved.get_json()
    published = admin.post("/api/v1/menus/publish", json={"revision": 1}, headers=AUTH)
    assert published.status_code == 200, published.get_json()

    assert in_main.press("1").says()[0].startswith("For a wrong charge")  # old key 1
    routed = in_billing.press("1")
    assert routed.action().startswith("/queues/enter"), routed.body
    new = TwilioCall(app.test_client())
    new.start_menu()
    assert new.press("1").says()[0] == NEW_MAIN
    assert new.press("1").says()[0].startswith("If your internet is down")  # new key 1

    assert published.get_json()["version"] not in first.values()
    assert sessions.load(new.sid).menu_version == published.get_json()["version"]
    for call in (in_main, in_billing):
        assert sessions.load(call.sid).menu_version == first[call.sid]
        decisions = [e for e in call_events(app, call.sid) if e["kind"] == "decision"]
        assert len(decisions) == (1 if call is in_billing else 0)
    decision = next(e for e in call_events(app, in_billing.sid) if e["kind"] == "decision")
    assert decision["queue"] == "billing" and re.match("billing", decision["issue"])
