"""`GET /api/v1/agents/<id>/voice-token`: an agent's softphone gets a Twilio Voice token for
their own Client identity, signed with the deployment's API key."""

from __future__ import annotations

from flask import Flask
from twilio.jwt import Jwt

from core.access import Role
from tests.ivr_app import make_app
from tests.signing_in import bearer_of

KEY_SID, KEY_SECRET = "SK" + "1" * 32, "s" * 32  # a Twilio API key secret is 32 characters


def _register(app: Flask, agent_id: str, reach: str) -> None:
    answer = app.test_client().put(
        f"/api/v1/agents/{agent_id}", headers=bearer_of(app, Role.ADMIN, "lead"),
        json={"name": agent_id.title(), "reach": reach, "tier": "L1", "skills": ["billing"]})
    assert answer.status_code in (200, 201), answer.get_json()


def test_an_agent_gets_an_incoming_only_token_for_their_own_identity(redis_url: str) -> None:
    app = make_app(redis_url, twilio_api_key_sid=KEY_SID, twilio_api_key_secret=KEY_SECRET)
    _register(app, "ana", "client:ana")
    _register(app, "bo", "client:bo")
    client, ana = app.test_client(), bearer_of(app, Role.AGENT, "ana")

    answer = client.get("/api/v1/agents/ana/voice-token", headers=ana)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["identity"] == "ana" and body["expires_in"] == 3600
    claims = Jwt.from_jwt(body["token"], KEY_SECRET).payload  # raises on a wrong signature
    settings = app.extensions["hotline"].settings
    assert claims["iss"] == KEY_SID and claims["sub"] == settings.twilio_account_sid
    assert claims["grants"] == {"identity": "ana", "voice": {"incoming": {"allow": True}}}

    assert client.get("/api/v1/agents/bo/voice-token", headers=ana).status_code == 403


def test_without_an_api_key_or_a_client_identity_the_answer_says_what_is_missing(
    redis_url: str
) -> None:
    app = make_app(redis_url)
    _register(app, "ana", "client:ana")
    _register(app, "cy", "+14155550142")
    admin = bearer_of(app, Role.ADMIN, "lead")
    client = app.test_client()
    no_key = client.get("/api/v1/agents/ana/voice-token", headers=admin)
    assert no_key.status_code == 409
    assert "TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET" in no_key.get_json()["error"]["message"]
    phone = client.get("/api/v1/agents/cy/voice-token", headers=admin)
    assert phone.status_code == 409 and phone.get_json()["error"]["field"] == "agent_id"
    assert client.get("/api/v1/agents/zed/voice-token", headers=admin).status_code == 404
