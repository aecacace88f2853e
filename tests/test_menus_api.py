"""The menu API: drafts with optimistic concurrency, validation without saving, publish and
roll back at once in every web process, and calls keeping the version they started on."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.ivr_app import ADMIN_TOKEN, SMALL_MENU, make_app
from tests.signing_in import as_admin
from tests.twilio_requests import TwilioCall

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
OLD_PROMPT = "For billing, press 1. For technical support, press 2."
NEW_PROMPT = "For your bill, press 1. For help with the internet, press 2."


def _edited(old: str = OLD_PROMPT, new: str = NEW_PROMPT) -> str:
    return SMALL_MENU.read_text(encoding="utf-8").replace(old, new)


def _api(client: FlaskClient, method: str, path: str, body: dict[str, Any] | None = None,
         ) -> tuple[int, Any]:
    return as_admin(client, method, f"/api/v1/menus{path}", body)


def _main_prompt(app: Flask) -> tuple[TwilioCall, str]:
    """A new call, taken past the language question: the call and the main prompt it hears."""
    call = TwilioCall(app.test_client())
    call.start()
    return call, call.press("1").says()[0]


def test_an_admin_edits_publishes_and_rolls_back_while_calls_keep_their_version(
    redis_url: str
) -> None:
    app = make_app(redis_url)
    client = app.test_client()
    status, listing = _api(client, "GET", "")
    first = listing["active"]
    assert status == 200 and listing["draft"] is None
    assert [v["version"] for v in listing["versions"]] == [first]

    status, draft = _api(client, "PUT", "/draft",
                         {"source": _edited(), "revision": 0, "author": "maria"})
    assert status == 200 and draft["revision"] == 1 and draft["problems"] == []
    status, stale = _api(client, "PUT", "/draft",
                         {"source": _edited(new="Something else."), "revision": 0,
                          "author": "omar"})
    assert status == 409
    assert stale["error"]["field"] == "revision" and stale["current"] == "1"
    assert "maria" in stale["error"]["message"]

    before = TwilioCall(app.test_client())  # a call already in the menu when it changes
    before.start()
    status, published = _api(client, "POST", "/publish", {"revision": 1, "author": "maria"})
    assert status == 200 and published["version"] != first
    assert before.press("1").says()[0] == OLD_PROMPT
    assert _main_prompt(app)[1] == NEW_PROMPT

    status, rolled = _api(client, "POST", "/rollback", {"version": first, "author": "omar"})
    assert status == 200 and rolled["version"] == first
    assert _main_prompt(app)[1] == OLD_PROMPT

    _, history = _api(client, "GET", "/history")
    assert [(e["by"], e["action"], e["version"]) for e in history["entries"][:3]] == [
        ("omar", "rolled back", first),
        ("maria", "published draft", published["version"]),
        ("maria", "saved draft", None),
    ]
    assert all(e["at"] for e in history["entries"])
    _, listing = _api(client, "GET", "")
    assert [(v["version"], v["active"]) for v in listing["versions"]] == [
        (published["version"], False), (first, True)]


def test_validation_names_the_node_path_and_rule_without_saving(redis_url: str) -> None:
    client = make_app(redis_url).test_client()
    broken = _edited("goto: billing", "goto: bills")
    status, check = _api(client, "POST", "/validate", {"source": broken})
    assert status == 200 and check["valid"] is False
    assert check["problems"] == [
        {"node": "main", "path": "nodes.main.options[0].goto", "rule": "unknown-target",
         "message": "goto names no node: 'bills'"},
        {"node": "billing", "path": "nodes.billing", "rule": "unreachable-node",
         "message": "no path from 'language' leads here"}]
    status, check = _api(client, "POST", "/validate",
                         {"source": SMALL_MENU.read_text().replace("tier: L1}", "tir: L1}", 1)})
    assert check["problems"][0]["path"] == "fallback.route.tir"
    assert _api(client, "GET", "")[1]["draft"] is None  # nothing was saved

    _api(client, "PUT", "/draft", {"source": broken, "revision": 0})
    status, refused = _api(client, "POST", "/publish", {"revision": 1})
    assert status == 422 and refused["problems"][0]["rule"] == "unknown-target"
    assert _main_prompt(make_app(redis_url))[1] == OLD_PROMPT


def test_a_tree_sent_as_json_reads_back_as_json_and_yaml_and_diffs(redis_url: str) -> None:
    client = make_app(redis_url).test_client()
    _, active = _api(client, "GET", "/versions/active?format=json")
    tree = active["tree"]
    tree["nodes"]["main"]["prompt"]["en"] = NEW_PROMPT
    status, draft = _api(client, "PUT", "/draft", {"tree": tree, "revision": 0})
    assert status == 200 and draft["problems"] == []
    _, back = _api(client, "GET", "/versions/draft?format=json")
    assert back["tree"]["nodes"]["main"]["prompt"]["en"] == NEW_PROMPT
    yaml_reply = client.get("/api/v1/menus/versions/active", headers=AUTH)
    assert yaml_reply.mimetype == "application/yaml"
    assert OLD_PROMPT in yaml_reply.get_data(as_text=True)
    _, diff = _api(client, "GET", "/diff?from=active&to=draft")
    assert any(line.startswith("-") and OLD_PROMPT in line for line in diff["lines"])
    assert any(line.startswith("+") and NEW_PROMPT in line for line in diff["lines"])


def test_every_web_process_serves_the_published_version_and_a_restart_keeps_it(
    redis_url: str
) -> None:
    one, two = make_app(redis_url), make_app(redis_url)
    assert _main_prompt(two)[1] == OLD_PROMPT  # two has parsed and cached the first version
    client = one.test_client()
    _api(client, "PUT", "/draft", {"source": _edited(), "revision": 0})
    _api(client, "POST", "/publish", {"revision": 1})
    assert _main_prompt(two)[1] == NEW_PROMPT
    restarted = make_app(redis_url)  # same menu file: the admin's publication stands
    assert _main_prompt(restarted)[1] == NEW_PROMPT


def test_the_menu_api_needs_the_admin_token(redis_url: str) -> None:
    client = make_app(redis_url).test_client()
    for method, path in (("GET", ""), ("PUT", "/draft"), ("POST", "/publish"),
                         ("POST", "/rollback")):
        reply = client.open(f"/api/v1/menus{path}", method=method, json={},
                            headers={"Authorization": "Bearer agent-token"})
        assert reply.status_code == 401, path


def test_bad_requests_name_the_field(redis_url: str) -> None:
    client = make_app(redis_url).test_client()
    cases: list[tuple[str, str, dict[str, Any], int, str]] = [
        ("PUT", "/draft", {"source": "name: x"}, 400, "revision"),
        ("PUT", "/draft", {"revision": 0}, 400, "source"),
        ("POST", "/publish", {"revision": 0}, 404, "version"),
        ("POST", "/rollback", {"version": "nope"}, 404, "version"),
        ("POST", "/rollback", {}, 400, "version"),
        ("POST", "/validate", {"source": "x", "tree": {}}, 400, "source"),
    ]
    for method, path, body, code, field in cases:
        status, reply = _api(client, method, path, body)
        assert (status, reply["error"]["field"]) == (code, field), (path, body)


def test_a_tree_with_a_number_beyond_64_bits_is_read_not_failed_on(redis_url: str) -> None:
    client = make_app(redis_url).test_client()
    status, check = _api(client, "POST", "/validate", {"tree": {"name": -2**63 - 1}})
    assert status == 200 and check["valid"] is False
