"""Signatures on every webhook, and safe answers when things go wrong."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest
from flask import Flask

from core.deps import connect
from core.session import SessionStore
from ivr.menu_store import MenuStore
from tests.ivr_app import make_app
from tests.twilio_requests import TwilioCall

WEBHOOKS = ["/voice/incoming", "/voice/menu?s=1", "/voice/status", "/voice/fallback",
            "/voice/voicemail?s=1", "/voice/transfer?s=1", "/queues/enter", "/queues/wait",
            "/callbacks/offer", "/voice/after-queue", "/voice/survey?s=1", "/recordings/status",
            "/recordings/transcription", "/recordings/consent?consent=announce&key=9"]


@pytest.fixture
def app(redis_url: str) -> Flask:
    return make_app(redis_url)


@pytest.mark.parametrize("path", WEBHOOKS)
def test_missing_signature_is_refused(app: Flask, path: str) -> None:
    call = TwilioCall(app.test_client())
    response = app.test_client().post(path, data=call.form())
    assert response.status_code == 403


@pytest.mark.parametrize("path", WEBHOOKS)
def test_forged_signature_is_refused(app: Flask, path: str) -> None:
    call = TwilioCall(app.test_client(), token="not-the-auth-token")
    assert call.post(path, call.form()).status == 403


def test_signature_over_other_form_values_is_refused(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    signed_for = call.validator.compute_signature("http://hotline.test/voice/incoming",
                                                  call.form(From="+14155550000"))
    reply = call.post("/voice/incoming", call.form(), signature=signed_for)
    assert reply.status == 403


def test_signature_is_checked_against_the_public_url_not_the_host(redis_url: str) -> None:
    app = make_app(redis_url, public_url="https://calls.example.com")
    call = TwilioCall(app.test_client())
    form = call.form()
    good = call.validator.compute_signature("https://calls.example.com/voice/incoming", form)
    assert call.post("/voice/incoming", form, signature=good).status == 200
    local = call.validator.compute_signature("http://localhost/voice/incoming", form)
    assert call.post("/voice/incoming", form, signature=local).status == 403


def test_a_refused_signature_logs_the_url_it_was_checked_against(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(redis_url, public_url="https://calls.example.com")
    call = TwilioCall(app.test_client())
    form = call.form()
    local = call.validator.compute_signature("http://127.0.0.1:5001/voice/incoming", form)
    assert call.post("/voice/incoming", form, signature=local).status == 403
    assert "X-Twilio-Signature does not match for https://calls.example.com/voice/incoming " \
        "(HOTLINE_PUBLIC_URL" in caplog.text


def test_signature_over_the_url_with_its_default_port_is_accepted(redis_url: str) -> None:
    # Twilio may sign https://host:443/...; RequestValidator accepts both forms, and so must we.
    app = make_app(redis_url, public_url="https://calls.example.com")
    call = TwilioCall(app.test_client())
    form = call.form()
    with_port = call.validator.compute_signature("https://calls.example.com:443/voice/incoming",
                                                 form)
    assert call.post("/voice/incoming", form, signature=with_port).status == 200


def test_missing_call_sid_is_a_clear_4xx(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    form = call.form()
    del form["CallSid"]
    reply = call.post("/voice/incoming", form)
    assert reply.status == 400
    assert "CallSid" in reply.body


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def with_redis_down(app: Flask) -> Flask:
    """The same app after its Redis went away (the menu store and sessions included)."""
    dead = connect(closed_port_url())
    deps = app.extensions["hotline"]
    app.extensions["hotline"] = replace(deps, redis=dead,
                                        sessions=SessionStore(dead, deps.settings.session_ttl))
    app.extensions["hotline.menus"] = MenuStore(dead)
    return app


def test_fallback_answers_useful_twiml_with_redis_down(redis_url: str) -> None:
    app = with_redis_down(make_app(redis_url, fallback_number="+14155550100"))
    call = TwilioCall(app.test_client())
    reply = call.post("/voice/fallback", call.form())
    assert reply.status == 200
    dial = reply.xml.find("Dial")
    assert dial is not None and (dial.text or "").strip() == "+14155550100"
    assert "Connecting you to our team" in reply.says()[0]


def test_incoming_call_with_redis_down_gets_the_fallback_route_not_a_5xx(
    redis_url: str,
) -> None:
    app = with_redis_down(make_app(redis_url, fallback_number="+14155550100"))
    call = TwilioCall(app.test_client())
    for path in ("/voice/incoming", "/voice/menu?s=2", "/voice/status", "/queues/enter",
                 "/callbacks/offer", "/voice/after-queue", "/voice/survey?s=3"):
        reply = call.post(path, call.form(Digits="1", CallStatus="completed"))
        assert reply.status == 200, path
    reply = call.post("/voice/incoming", call.form())
    assert reply.xml.find("Dial") is not None


def test_without_a_fallback_number_the_apology_ends_the_call(redis_url: str) -> None:
    app = with_redis_down(make_app(redis_url))
    call = TwilioCall(app.test_client())
    reply = call.post("/voice/incoming", call.form())
    assert reply.status == 200
    # Redis is down, so the caller's language is unknown: the apology is said in every
    # language of the line, each in its own voice.
    assert reply.says() == ["We're sorry, we can't take your call right now.",
                            "Lo sentimos, en este momento no podemos atender su llamada."]
    assert [say.get("language") for say in reply.xml.iter("Say")] == ["en-US", "es-US"]
    assert reply.xml.find("Hangup") is not None


def test_the_fallback_number_apology_is_said_in_every_language_of_the_line(
    redis_url: str,
) -> None:
    app = with_redis_down(make_app(redis_url, fallback_number="+14155550100"))
    call = TwilioCall(app.test_client())
    reply = call.post("/voice/fallback", call.form())
    assert reply.says() == [
        "We're sorry, our phone menu is not available. Connecting you to our team.",
        "Lo sentimos, nuestro menú telefónico no está disponible. Le comunicamos con nuestro "
        "equipo."]
    dial = reply.xml.find("Dial")
    assert dial is not None and (dial.text or "").strip() == "+14155550100"
