"""Roles: every API route and page against every role, each agent's own scope, issued tokens
(kept only as digests, revocable), and the throttle on wrong tokens."""

from __future__ import annotations

import logging
import re
from itertools import count

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from core.access import Role
from core.settings import Settings
from hotline.cli import main
from tests.ivr_app import ADMIN_TOKEN, make_app
from tests.queues.conftest import put_on_shift
from tests.signing_in import form_token, issue_token, sign_in

ADMIN, AGENT, REPORT = "admin", "agent", "report"

API_ROLES = {
    ("GET", "/api/v1/calls/<call_sid>"): {ADMIN},
    ("GET", "/api/v1/tickets"): {ADMIN, AGENT},
    ("GET", "/api/v1/tickets/<ticket_id>"): {ADMIN, AGENT},
    ("POST", "/api/v1/tickets/<ticket_id>/notes"): {ADMIN, AGENT},
    ("PATCH", "/api/v1/tickets/<ticket_id>"): {ADMIN, AGENT},
    ("GET", "/api/v1/callbacks"): {ADMIN},
    ("GET", "/api/v1/callbacks/stats"): {ADMIN, REPORT},
    ("GET", "/api/v1/callbacks/<callback_id>"): {ADMIN},
    ("POST", "/api/v1/callbacks/<callback_id>/cancel"): {ADMIN},
    ("POST", "/api/v1/callbacks/<callback_id>/reschedule"): {ADMIN},
    ("PUT", "/api/v1/agents/<agent_id>"): {ADMIN},
    ("GET", "/api/v1/agents"): {ADMIN, REPORT},
    ("GET", "/api/v1/agents/<agent_id>"): {ADMIN, AGENT},
    ("POST", "/api/v1/agents/<agent_id>/status"): {ADMIN, AGENT},
    ("GET", "/api/v1/agents/<agent_id>/screen-pop"): {ADMIN, AGENT},
    ("GET", "/api/v1/agents/<agent_id>/voice-token"): {ADMIN, AGENT},
    ("POST", "/api/v1/calls/<call_sid>/escalate"): {ADMIN, AGENT},
    ("GET", "/api/v1/queues/stats"): {ADMIN, AGENT, REPORT},
    ("POST", "/api/v1/simulator/calls/<call_sid>/redirects/next"): {ADMIN},
    ("POST", "/api/v1/simulator/outbound/next"): {ADMIN},
    ("POST", "/api/v1/simulator/messages/taken"): {ADMIN},
    ("GET", "/api/v1/tokens"): {ADMIN},
    ("POST", "/api/v1/tokens"): {ADMIN},
    ("DELETE", "/api/v1/tokens/<token_id>"): {ADMIN},
    ("GET", "/metrics"): {ADMIN, REPORT},
    ("GET", "/api/v1/reports"): {ADMIN, REPORT},
    ("GET", "/api/v1/menus"): {ADMIN},
    ("GET", "/api/v1/menus/diff"): {ADMIN},
    ("GET", "/api/v1/menus/draft"): {ADMIN},
    ("PUT", "/api/v1/menus/draft"): {ADMIN},
    ("GET", "/api/v1/menus/history"): {ADMIN},
    ("POST", "/api/v1/menus/publish"): {ADMIN},
    ("POST", "/api/v1/menus/rollback"): {ADMIN},
    ("POST", "/api/v1/menus/validate"): {ADMIN},
    ("GET", "/api/v1/menus/versions/<name>"): {ADMIN},
    ("GET", "/api/v1/switches"): {ADMIN},
    ("GET", "/api/v1/switches/history"): {ADMIN},
    ("PUT", "/api/v1/switches/hours/<line>"): {ADMIN},
    ("DELETE", "/api/v1/switches/hours/<line>"): {ADMIN},
    ("PUT", "/api/v1/switches/outages/<category>"): {ADMIN},
    ("DELETE", "/api/v1/switches/outages/<category>"): {ADMIN},
    ("PUT", "/api/v1/switches/vip/<number>"): {ADMIN},
    ("DELETE", "/api/v1/switches/vip/<number>"): {ADMIN},
}
"""Who may use each route. A new route must be added here, so nobody forgets to decide."""

PAGE_ROLES = {
    ("GET", "/agent/"): {ADMIN, AGENT},
    ("GET", "/agent/current"): {ADMIN, AGENT},
    ("GET", "/agent/tickets"): {ADMIN, AGENT},
    ("GET", "/agent/tickets/<int:ticket_id>"): {ADMIN, AGENT},
    ("POST", "/agent/tickets/<int:ticket_id>/notes"): {ADMIN, AGENT},
    ("POST", "/agent/status"): {AGENT},
    ("GET", "/reports"): {ADMIN, REPORT},
    ("GET", "/recordings/media/<path:name>"): {ADMIN, AGENT},
    ("GET", "/admin/menus"): {ADMIN},
    ("POST", "/admin/menus/check"): {ADMIN},
    ("GET", "/admin/menus/compare"): {ADMIN},
    ("POST", "/admin/menus/rollback"): {ADMIN},
    ("POST", "/admin/menus/save"): {ADMIN},
    ("POST", "/admin/menus/source"): {ADMIN},
    ("POST", "/admin/menus/try"): {ADMIN},
    ("GET", "/admin/switches"): {ADMIN},
    ("POST", "/admin/switches/hours"): {ADMIN},
    ("POST", "/admin/switches/hours/clear"): {ADMIN},
    ("POST", "/admin/switches/outages"): {ADMIN},
    ("POST", "/admin/switches/outages/clear"): {ADMIN},
    ("POST", "/admin/switches/vip"): {ADMIN},
    ("POST", "/admin/switches/vip/remove"): {ADMIN},
}

OPEN = {("GET", "/api/v1/openapi.json"), ("GET", "/health"), ("GET", "/agent/login"),
        ("POST", "/agent/login"), ("POST", "/agent/logout"), ("GET", "/static/<path:filename>"),
        ("GET", "/admin/menus/static/<path:filename>")}
"""Routes anyone may reach: the API's description, the health check, signing in or out, and
static files."""

WEBHOOKS = ("/voice/", "/queues/", "/callbacks/", "/sms/", "/standing/", "/recordings/status",
            "/recordings/transcription", "/recordings/consent")
"""Twilio's webhooks: no role, Twilio's signature instead."""

SAMPLE = {"call_sid": "CA" + "0" * 32, "ticket_id": "1", "agent_id": "ann",
          "callback_id": "cb-none", "token_id": "nope", "name": "draft", "line": "default",
          "category": "technical", "number": "+14155550123"}
addresses = count(1)


@pytest.fixture
def app(redis_url: str) -> Flask:
    app = make_app(redis_url)
    put_on_shift(app.extensions["hotline"].redis, "ann", "L1", ["billing"], 0.0)
    return app


def client_from_own_address(app: Flask) -> FlaskClient:
    """A client with an address of its own, so the wrong-token throttle counts it apart."""
    n = next(addresses)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.9.{n // 250}.{n % 250 + 1}"
    return client


def routes(app: Flask, prefix: tuple[str, ...]) -> set[tuple[str, str]]:
    """(method, rule) of every route under `prefix`."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            if rule.rule.startswith(prefix)
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}


def test_every_route_has_its_guard_decided(app: Flask) -> None:
    found = routes(app, ("/",))
    webhooks = {route for route in found if route[1].startswith(WEBHOOKS)}
    assert found - webhooks == set(API_ROLES) | set(PAGE_ROLES) | OPEN
    # Each view declares the roles of the table (/metrics checks them in its body, as it may
    # be configured open to scrapers).
    declared = {(method, rule.rule): set(getattr(app.view_functions[rule.endpoint],
                                                 "allowed_roles", ()))
                for rule in app.url_map.iter_rules()
                for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
                if (method, rule.rule) in API_ROLES or (method, rule.rule) in PAGE_ROLES}
    assert declared == {**API_ROLES, **PAGE_ROLES, ("GET", "/metrics"): set()}
    for method, rule in sorted(webhooks):
        unsigned = app.test_client().open(rule, method=method, data={"CallSid": "CA1"})
        assert unsigned.status_code == 403, rule


def path_of(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE[m.group(1)], rule)


@pytest.mark.parametrize(("method", "rule"), sorted(API_ROLES))
def test_each_api_route_lets_in_exactly_its_roles(app: Flask, method: str, rule: str) -> None:
    tokens = {ADMIN: ADMIN_TOKEN, AGENT: issue_token(app, Role.AGENT, "ann"),
              REPORT: issue_token(app, Role.REPORT, "finance")}
    client = client_from_own_address(app)
    path = path_of(rule)
    for headers in ({}, {"Authorization": "Bearer hl_nope.wrong"}):
        refused = client.open(path, method=method, headers=headers, json={})
        assert refused.status_code == 401, (method, path, headers)
    for role, token in tokens.items():
        answer = client.open(path, method=method, json={},
                             headers={"Authorization": f"Bearer {token}"})
        if role in API_ROLES[(method, rule)]:
            assert answer.status_code not in (401, 403, 429), (role, method, path)
        else:
            assert answer.status_code == 403, (role, method, path)
            assert answer.get_json()["error"]["field"] == "Authorization"


@pytest.mark.parametrize(("method", "rule"), sorted(PAGE_ROLES))
def test_each_page_lets_in_exactly_its_roles(app: Flask, method: str, rule: str) -> None:
    tokens = {ADMIN: ADMIN_TOKEN, AGENT: issue_token(app, Role.AGENT, "ann"),
              REPORT: issue_token(app, Role.REPORT, "finance")}
    path = path_of(rule)
    nobody = client_from_own_address(app).open(path, method=method)
    assert nobody.status_code == (302 if method == "GET" else 401)
    for role, token in tokens.items():
        client = client_from_own_address(app)
        assert sign_in(client, token).status_code == 302
        form = {"csrf_token": form_token(client), "text": "called back", "status": "offline"}
        answer = client.open(path, method=method, data=form)
        if role in PAGE_ROLES[(method, rule)]:
            assert answer.status_code not in (401, 403), (role, method, path)
        else:
            assert answer.status_code == 403, (role, method, path)


def test_an_agent_acts_only_for_themself(app: Flask) -> None:
    put_on_shift(app.extensions["hotline"].redis, "bo", "L1", ["billing"], 0.0)
    ann = {"Authorization": f"Bearer {issue_token(app, Role.AGENT, 'ann')}"}
    client = app.test_client()
    assert client.get("/api/v1/agents/ann", headers=ann).get_json()["id"] == "ann"
    for answer in (client.get("/api/v1/agents/bo", headers=ann),
                   client.post("/api/v1/agents/bo/status", headers=ann,
                               json={"status": "offline"}),
                   client.get("/api/v1/agents/bo/screen-pop", headers=ann)):
        assert answer.status_code == 403
        assert answer.get_json()["error"]["field"] == "agent_id"
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert client.get("/api/v1/agents/bo", headers=admin).get_json()["status"] == "available"


def test_issued_tokens_are_shown_once_kept_as_digests_and_revoked_at_once(app: Flask) -> None:
    client = app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    issued = client.post("/api/v1/tokens", headers=admin,
                         json={"role": "report", "name": "finance"})
    assert issued.status_code == 201
    token, token_id = issued.get_json()["token"], issued.get_json()["id"]
    report = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/callbacks/stats", headers=report).status_code == 200
    assert client.get("/api/v1/callbacks", headers=report).status_code == 403
    stored = app.extensions["hotline"].redis.hgetall("hotline:access-tokens")
    assert token.encode() not in b"".join(stored.values())
    listed = client.get("/api/v1/tokens", headers=admin).get_json()["tokens"]
    assert [(t["id"], t["role"], t["name"]) for t in listed] == [(token_id, "report", "finance")]
    assert "token" not in listed[0]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=admin).status_code == 200
    assert client.get("/api/v1/callbacks/stats", headers=report).status_code == 401
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=admin).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"role": "boss", "name": "x"}, "role"),
    ({"role": "agent"}, "name"),
    ({"role": "agent", "name": "nobody"}, "name"),
    ({"role": "report", "name": " "}, "name"),
])
def test_a_token_request_that_cannot_be_met_names_the_field(
    app: Flask, body: dict[str, str], field: str
) -> None:
    answer = app.test_client().post("/api/v1/tokens", json=body,
                                    headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert answer.status_code == 400 and answer.get_json()["error"]["field"] == field


def test_hotline_token_issues_a_working_token_and_revokes_it(
    app: Flask, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HOTLINE_ADMIN_TOKEN", ADMIN_TOKEN)
    issued = CliRunner().invoke(main, ["token", "issue", "--role", "agent", "ann"])
    assert issued.exit_code == 0, issued.output
    token = issued.output.splitlines()[-1]
    ann = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/agents/ann", headers=ann).status_code == 200
    listed = CliRunner().invoke(main, ["token", "list"]).output
    token_id = listed.split("\t")[0]
    assert "\tagent\tann\t" in listed and token not in listed
    assert CliRunner().invoke(main, ["token", "revoke", token_id]).exit_code == 0
    assert app.test_client().get("/api/v1/agents/ann", headers=ann).status_code == 401
    unknown = CliRunner().invoke(main, ["token", "issue", "--role", "agent", "nobody"])
    assert unknown.exit_code == 1 and "no agent 'nobody'" in unknown.output


def test_wrong_bearer_tokens_are_logged_and_then_throttled(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_from_own_address(app)
    caplog.set_level(logging.WARNING)
    for _ in range(Settings().wrong_tokens_allowed):
        wrong = client.get("/api/v1/agents", headers={"Authorization": "Bearer guess-1234"})
        assert wrong.status_code == 401
    assert "refused a bearer token from 10.9." in caplog.text
    assert "guess-1234" not in caplog.text
    blocked = client.get("/api/v1/agents", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    elsewhere = client_from_own_address(app).get(
        "/api/v1/agents", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert elsewhere.status_code == 200


def test_wrong_sign_ins_are_throttled_with_a_clear_page(app: Flask) -> None:
    client = client_from_own_address(app)
    for _ in range(Settings().wrong_tokens_allowed):
        assert sign_in(client, "guess").status_code == 401
    blocked = sign_in(client, ADMIN_TOKEN)
    assert blocked.status_code == 429
    assert "Too many wrong tokens came from here. Try again in 15 minutes." in \
        blocked.get_data(as_text=True)


def test_a_form_without_its_csrf_token_changes_nothing(app: Flask) -> None:
    client = client_from_own_address(app)
    sign_in(client, issue_token(app, Role.AGENT, "ann"))
    forged = client.post("/agent/status", data={"status": "offline"})
    assert forged.status_code == 400 and "reload the page" in forged.get_data(as_text=True)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert client.get("/api/v1/agents/ann", headers=admin).get_json()["status"] == "available"
    assert client.post("/agent/login", data={"token": ADMIN_TOKEN}).status_code == 400


def test_signing_out_or_revoking_the_token_ends_the_session(app: Flask) -> None:
    client = client_from_own_address(app)
    sign_in(client, issue_token(app, Role.AGENT, "ann"))
    assert client.get("/agent/current").status_code == 200
    out = client.post("/agent/logout", data={"csrf_token": form_token(client, "/agent/current")})
    assert out.status_code == 302
    assert client.get("/agent/current").location.startswith("/agent/login")
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    issued = client.post("/api/v1/tokens", headers=admin, json={"role": "agent", "name": "ann"})
    sign_in(client, issued.get_json()["token"])
    assert client.get("/agent/current").status_code == 200
    client.delete(f"/api/v1/tokens/{issued.get_json()['id']}", headers=admin)
    assert client.get("/agent/current").location.startswith("/agent/login")


def test_behind_a_trusted_proxy_each_client_is_counted_apart(redis_url: str) -> None:
    app = make_app(redis_url, trusted_proxies=1)
    proxy = app.test_client()
    proxy.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    guesser = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(Settings().wrong_tokens_allowed):
        proxy.get("/api/v1/agents", headers={**guesser, "Authorization": "Bearer guess"})
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert proxy.get("/api/v1/agents", headers={**guesser, **admin}).status_code == 429
    someone_else = {"X-Forwarded-For": "198.51.100.20", **admin}
    assert proxy.get("/api/v1/agents", headers=someone_else).status_code == 200
