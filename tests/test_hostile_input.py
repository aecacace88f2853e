"""Hostile or malformed input gets a 4xx that says what is wrong, never a 500, and is refused
before it can hold a web thread (issue #13)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from core.errors import ConfigError
from core.settings import DEV_ADMIN_TOKEN, DEV_AUTH_TOKEN
from hotline.app import create_app
from tests.callbacks.test_offer import callbacks_of, said, to_offer
from tests.ivr_app import ADMIN_TOKEN, call_events, make_app, make_settings
from tests.processes import HOTLINE
from tests.signing_in import sign_in
from tests.test_voice_security import with_redis_down
from tests.twilio_requests import PUBLIC_URL, TwilioCall

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def app(redis_url: str) -> Flask:
    return make_app(redis_url)


def test_a_forged_post_with_a_huge_form_is_refused_before_it_is_parsed(app: Flask) -> None:
    call = TwilioCall(app.test_client(), token="forged")
    fields = {f"f{n}": "x" for n in range(100_000)}  # about 1.1 MB; Twilio posts a few KB
    answer = call.post("/voice/incoming", {**call.form(), **fields})
    assert answer.status == 413


def test_a_signed_twilio_post_of_ordinary_size_still_passes(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    answer = call.post("/voice/incoming", {**call.form(), "Extra": "y" * 2_000})
    assert answer.status == 200 and "<Gather" in answer.body


def test_a_huge_sign_in_form_is_refused(app: Flask) -> None:
    body = {"token": "x" * (5 * 1024 * 1024)}
    assert app.test_client().post("/agent/login", data=body).status_code == 413


@pytest.mark.parametrize("header", ["Bearer é", "Bearer \u00e9\u00e8", "Bearer ﬀ"])
def test_a_non_ascii_bearer_token_is_refused_not_crashed(app: Flask, header: str) -> None:
    answer = app.test_client().get("/api/v1/tickets", headers={"Authorization": header})
    assert answer.status_code == 401
    assert answer.get_json()["error"]["field"] == "Authorization"


def test_a_non_ascii_sign_in_token_is_refused_not_crashed(app: Flask) -> None:
    client = app.test_client()
    answer = sign_in(client, "é")
    assert answer.status_code == 401 and "That token is not valid." in answer.get_data(True)
    assert client.get("/agent/current").location.startswith("/agent/login")


@pytest.mark.parametrize("raw", ["²", "３", "٣", "1²"])
def test_ticket_ids_are_ascii_digits_only(app: Flask, raw: str) -> None:
    answer = app.test_client().get(f"/api/v1/tickets/{raw}", headers=AUTH)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "id"


def test_json_nested_thousands_deep_is_refused(app: Flask) -> None:
    body = "[" * 5_000 + "]" * 5_000
    answer = app.test_client().put("/api/v1/agents/ann", data=body, headers={
        **AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "body"


def test_a_lone_surrogate_in_a_text_field_is_refused_naming_it(app: Flask) -> None:
    body = '{"name": "Ann \\ud800", "reach": "client:ann", "tier": "L1", "skills": ["billing"]}'
    answer = app.test_client().put("/api/v1/agents/ann", data=body, headers={
        **AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == "name"


def test_a_line_break_in_the_sign_in_target_is_not_followed(app: Flask) -> None:
    answer = sign_in(app.test_client(), ADMIN_TOKEN, "/agent/current\r\nSet-Cookie: x=1")
    assert answer.status_code == 302
    assert "\r" not in answer.headers["Location"] and "Set-Cookie" not in answer.headers[
        "Location"]


@pytest.mark.parametrize("path", ["/api/v1/agents", "/api/v1/callbacks", "/api/v1/queues/stats"])
def test_the_api_says_503_when_redis_is_down(redis_url: str, path: str) -> None:
    app = with_redis_down(make_app(redis_url))
    answer = app.test_client().get(path, headers=AUTH)
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "unavailable"


@pytest.mark.parametrize("public_url", ["https://hotline.example.com", "http://10.0.0.5:5000",
                                        "http://hotline.test"])
def test_development_credentials_never_serve_a_public_url(redis_url: str,
                                                          public_url: str) -> None:
    settings = make_settings(public_url=public_url, twilio_auth_token=DEV_AUTH_TOKEN,
                             admin_token=None)
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        create_app(settings, redis_url)


def test_the_published_admin_token_never_serves_a_public_url(redis_url: str) -> None:
    settings = make_settings(public_url="https://hotline.example.com",
                             admin_token=DEV_ADMIN_TOKEN)
    with pytest.raises(ConfigError, match="HOTLINE_ADMIN_TOKEN"):
        create_app(settings, redis_url)


@pytest.mark.parametrize("public_url", ["http://127.0.0.1:5000", "http://localhost:5001",
                                        "http://[::1]:5000", "http://127.0.0.2"])
def test_development_credentials_serve_loopback(redis_url: str, public_url: str) -> None:
    settings = make_settings(public_url=public_url, twilio_auth_token=DEV_AUTH_TOKEN,
                             admin_token=None)
    answer = create_app(settings, redis_url).test_client().get(
        "/api/v1/agents", headers={"Authorization": f"Bearer {DEV_ADMIN_TOKEN}"})
    assert answer.status_code == 200


def test_serve_says_which_variable_is_missing_instead_of_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "HOTLINE_PUBLIC_URL": "https://hotline.example.com",
           "HOTLINE_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:1/0"}
    for name in ("TWILIO_AUTH_TOKEN", "HOTLINE_ADMIN_TOKEN"):
        env.pop(name, None)
    done = subprocess.run([HOTLINE, "serve"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "TWILIO_AUTH_TOKEN" in done.stderr and "Traceback" not in done.stderr


TWILIO_RECORDING = ("https://api.twilio.com/2010-04-01/Accounts/AC" + "0" * 32 +
                    "/Recordings/RE" + "a" * 32)


@pytest.mark.parametrize(("url", "kept"), [
    (TWILIO_RECORDING, TWILIO_RECORDING),
    ("javascript:alert(1)", ""),
    ("file:///etc/passwd", ""),
    ("http://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", ""),  # not https
    ("https://api.twilio.com.evil.example/2010-04-01/Recordings/RE1", ""),
    ("https://evil.example/2010-04-01/Accounts/AC1/Recordings/RE1", ""),
])
def test_only_twilio_recording_urls_are_kept_on_the_call(app: Flask, url: str,
                                                         kept: str) -> None:
    recording = leave_voicemail(app, RecordingSid="RE" + "a" * 32, RecordingUrl=url,
                                RecordingDuration="12")
    assert recording["url"] == kept and recording["recording_sid"] == "RE" + "a" * 32


def test_a_recording_sid_that_is_not_twilio_s_is_not_kept(app: Flask) -> None:
    recording = leave_voicemail(app, RecordingSid="../../etc/passwd",
                                RecordingUrl=TWILIO_RECORDING)
    assert recording["recording_sid"] == ""


def leave_voicemail(app: Flask, **recorded: str) -> dict[str, Any]:
    """Walk the test menu to its voicemail, post Twilio's recording fields, and return the
    recording entry the call's log kept."""
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.press("1")
    record = call.press("2").xml.find("Record")
    assert record is not None
    call.post((record.get("action") or "").removeprefix(PUBLIC_URL), call.form(**recorded))
    [recording] = [e for e in call_events(app, call.sid) if e["kind"] == "recording"]
    return recording


def test_pages_tell_the_browser_not_to_frame_sniff_or_run_scripts(app: Flask) -> None:
    page = app.test_client().get("/agent/login")
    assert page.status_code == 200
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    assert "script-src" not in policy  # so scripts fall back to default-src 'none'


def test_the_agent_session_cookie_stays_on_this_site(app: Flask) -> None:
    signed_in = sign_in(app.test_client(), ADMIN_TOKEN)
    cookie = signed_in.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie


def test_the_agent_session_cookie_is_https_only_on_an_https_deployment(redis_url: str) -> None:
    app = make_app(redis_url, public_url="https://hotline.example.com")
    signed_in = sign_in(app.test_client(), ADMIN_TOKEN)
    assert "Secure" in signed_in.headers["Set-Cookie"]


@pytest.mark.parametrize("duration", ["²", "３", "٣"])
def test_a_duration_in_other_digits_is_left_out_not_crashed_nor_misread(
    app: Flask, duration: str
) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    ended = call.hang_up(duration)
    assert ended.status == 200 and "<Say" not in ended.body
    [event] = [e for e in call_events(app, call.sid) if e.get("event") == "ended"]
    assert "duration" not in event


@pytest.mark.parametrize("key", ["２", "٢", "²"])
def test_a_slot_key_in_other_digits_is_asked_again_not_taken(app: Flask, key: str) -> None:
    call = to_offer(app)
    call.press("2")
    again = call.press(key)
    assert "Press 1 for today at 9 in the morning. Press 2 for today at 10 in the morning." \
        in said(again)
    assert callbacks_of(app, "+14155550123") == []
