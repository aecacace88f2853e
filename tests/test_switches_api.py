"""The switches API: opening hours per line (holidays, closures, time zone), outage notices per
language and the VIP list, each used by the very next call, each change in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from flask.testing import FlaskClient

from core.clock import FixedClock
from ivr.menu_loader import example_menu_path
from tests.ivr_app import SMALL_MENU, make_app
from tests.signing_in import as_admin
from tests.test_opening_hours import _route_to_billing
from tests.twilio_requests import CALLED, TwilioCall

TUESDAY = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in New York
THANKSGIVING = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
CLOSED = "We are closed now. We can call you back when we open."
NEW_YORK = {"timezone": "America/New_York", "open": "08:00-20:00", "days": "mon-fri",
            "holidays": "US"}


def _app(redis_url: str, tmp_path: Path, at: datetime = TUESDAY) -> Flask:
    """The small menu with an after-hours route but no hours of its own (always open)."""
    tree = yaml.safe_load(SMALL_MENU.read_text())
    tree["after_hours"] = {"callback": {"message": {
        "en": CLOSED, "es": "Ahora estamos cerrados. Le podemos llamar cuando abramos."}}}
    menu = tmp_path / "after-hours.yaml"
    menu.write_text(yaml.safe_dump(tree, allow_unicode=True))
    return make_app(redis_url, FixedClock(at), menu_file=menu)


def _api(client: FlaskClient, method: str, path: str, body: dict[str, Any] | None = None,
         ) -> tuple[int, Any]:
    return as_admin(client, method, f"/api/v1/switches{path}", body)


def test_hours_set_for_the_line_apply_to_the_next_call(redis_url: str, tmp_path: Path) -> None:
    app = _app(redis_url, tmp_path)
    client = app.test_client()
    assert _route_to_billing(app)[2] == "/queues/enter"
    closed_today = {**NEW_YORK, "closures": ["2026-11-24"], "author": "maria"}
    status, body = _api(client, "PUT", f"/hours/{CALLED}", closed_today)
    assert status == 200 and body["hours"]["closures"] == ["2026-11-24"]
    _, said, next_url = _route_to_billing(app)
    assert (said, next_url) == ([CLOSED], "/callbacks/offer")
    assert _api(client, "DELETE", f"/hours/{CALLED}?author=maria")[0] == 200
    assert _route_to_billing(app)[2] == "/queues/enter"
    assert _api(client, "DELETE", f"/hours/{CALLED}")[0] == 404
    _, history = _api(client, "GET", "/history")
    assert [(e["by"], e["action"], e["target"]) for e in history["entries"]] == [
        ("maria", "cleared opening hours", CALLED), ("maria", "set opening hours", CALLED)]


def test_the_default_line_follows_public_holidays(redis_url: str, tmp_path: Path) -> None:
    app = _app(redis_url, tmp_path, THANKSGIVING)
    assert _api(app.test_client(), "PUT", "/hours/default", NEW_YORK)[0] == 200
    assert _route_to_billing(app)[1] == [CLOSED]
    other_day = _app(redis_url, tmp_path, TUESDAY)
    assert _route_to_billing(other_day)[2] == "/queues/enter"


def test_hours_are_refused_naming_the_field(redis_url: str, tmp_path: Path) -> None:
    client = _app(redis_url, tmp_path).test_client()
    cases: list[tuple[str, dict[str, Any], str]] = [
             ("/hours/default", {**NEW_YORK, "timezone": "Mars/Olympus"}, "timezone"),
             ("/hours/default", {**NEW_YORK, "open": "9-5"}, "open"),
             ("/hours/default", {**NEW_YORK, "days": "weekdays"}, "days"),
             ("/hours/default", {**NEW_YORK, "holidays": "XX"}, "holidays"),
             ("/hours/default", {**NEW_YORK, "closures": ["tomorrow"]}, "closures"),
             ("/hours/default", {**NEW_YORK, "close": "20:00"}, "close"),
             ("/hours/hello", NEW_YORK, "line")]
    for path, body, field in cases:
        status, reply = _api(client, "PUT", path, body)
        assert (status, reply["error"]["field"]) == (400, field), body
    without_after_hours = make_app(redis_url).test_client()
    status, reply = _api(without_after_hours, "PUT", "/hours/default", NEW_YORK)
    assert (status, reply["error"]["field"]) == (400, "after_hours")


def test_outage_notices_per_language_and_vips(redis_url: str) -> None:
    app = make_app(redis_url)
    client = app.test_client()
    spanish = {"message": "Hay una falla de internet en el norte.", "language": "es"}
    assert _api(client, "PUT", "/outages/technical", spanish)[0] == 200
    call = TwilioCall(app.test_client())
    call.start()
    assert call.press("2").says()[0] == spanish["message"]
    for body, field in (({"message": "x", "language": "fr"}, "language"),
                        ({"message": ""}, "message")):
        status, reply = _api(client, "PUT", "/outages/technical", body)
        assert (status, reply["error"]["field"]) == (400, field)
    status, reply = _api(client, "PUT", "/outages/Not a category", {"message": "x"})
    assert (status, reply["error"]["field"]) == (400, "category")

    status, vip = _api(client, "PUT", "/vip/(415) 555-0123")
    assert (status, vip["number"]) == (200, "+14155550123")
    _, state = _api(client, "GET", "")
    assert state["vip"] == ["+14155550123"]
    assert state["outages"] == [{"category": "technical", "language": "es",
                                 "message": spanish["message"]}]
    assert _api(client, "DELETE", "/outages/technical")[0] == 200
    assert _api(client, "DELETE", "/outages/technical")[0] == 404
    assert _api(client, "DELETE", "/vip/+14155550123")[0] == 200
    assert _api(client, "DELETE", "/vip/+14155550123")[0] == 404
    assert _api(client, "PUT", "/vip/hello")[1]["error"]["field"] == "number"


def test_the_shipped_example_line_closes_by_the_hours_an_admin_sets(redis_url: str) -> None:
    app = make_app(redis_url, FixedClock(THANKSGIVING), menu_file=example_menu_path())
    closed = {**NEW_YORK, "author": "maria"}
    assert _api(app.test_client(), "PUT", "/hours/default", closed)[0] == 200
    _, said, next_url = _route_to_billing(app)  # a wrong charge: a queue, but it is closed
    assert "We're closed right now. We can call you back when we open." in said
    assert next_url == "/callbacks/offer"


def test_callback_times_offered_keep_to_the_hours_set_for_the_line(
    redis_url: str, tmp_path: Path,
) -> None:
    # Tuesday 10:00 in New York, 7:00 for the caller in San Francisco. Callbacks are promised
    # 9 to 5 in the caller's zone; the admin closed the line today and opens it at 2 pm
    # (11 in the morning in San Francisco) on other days.
    app = _app(redis_url, tmp_path)
    late_opening = {**NEW_YORK, "open": "14:00-20:00", "closures": ["2026-11-24"]}
    assert _api(app.test_client(), "PUT", f"/hours/{CALLED}", late_opening)[0] == 200
    call, _, _ = _route_to_billing(app)
    offer = call.post("/callbacks/offer", call.form())
    call.next_path = offer.action()
    said = call.press("2").says()  # choose a time
    assert said[:3] == ["Press 1 for tomorrow at 11 in the morning.",
                        "Press 2 for tomorrow at noon.",
                        "Press 3 for tomorrow at 1 in the afternoon."]


def test_a_callback_asked_for_while_the_line_is_closed_is_promised_for_when_it_opens(
    redis_url: str, tmp_path: Path,
) -> None:
    # Tuesday 7:00 in San Francisco: dialling may start at 8 there, but the admin closed the
    # line today; tomorrow it opens at 8 in New York, before the caller's 8.
    app = _app(redis_url, tmp_path)
    closed_today = {**NEW_YORK, "closures": ["2026-11-24"]}
    assert _api(app.test_client(), "PUT", f"/hours/{CALLED}", closed_today)[0] == 200
    call, said, _ = _route_to_billing(app)
    assert said == [CLOSED]
    call.next_path = call.post("/callbacks/offer", call.form()).action()
    call.press("1")  # as soon as an agent is free
    confirm = call.press("1")  # on the caller ID
    assert confirm.says()[0].startswith(
        "We will call you from tomorrow at 8 in the morning, as soon as an agent is free")
