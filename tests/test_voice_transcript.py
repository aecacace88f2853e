"""The call's event log: complete, in order, and never doubled by Twilio's retries."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from core import keys
from tests.ivr_app import call_events, make_app
from tests.twilio_requests import TwilioCall


@pytest.fixture
def app(redis_url: str) -> Flask:
    return make_app(redis_url)


def events(app: Flask, call: TwilioCall) -> list[dict[str, Any]]:
    return call_events(app, call.sid)


def test_transcript_has_every_prompt_key_speech_and_decision_in_order(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.say("my bill", confidence="0.87")
    call.press("1")
    log = events(app, call)
    assert [(e["kind"], e["text"]) for e in log] == [
        ("call", "Call started"),
        ("prompt", "For English, press 1."),
        ("prompt", "Para español, oprima 2."),
        ("dtmf", "Pressed 1 (English)"),
        ("prompt", "For billing, press 1. For technical support, press 2."),
        ("speech", "my bill"),
        ("prompt", "For a wrong charge, press 1. To leave a message, press 2. "
                   "For our hours, press 3."),
        ("dtmf", "Pressed 1 (Wrong charge)"),
        ("decision", "billing/dispute at normal priority to queue billing (L1)"),
        ("prompt", "Connecting you now."),
    ]
    speech = log[5]
    assert speech["confidence"] == 0.87 and speech["node"] == "main"
    assert speech["option"] == "Billing"
    assert log[3]["digits"] == "1" and log[3]["node"] == "language"
    assert log[8]["queue"] == "billing" and log[8]["tier"] == "L1"
    assert all(e["at"].endswith("Z") for e in log)
    assert log[0]["caller"] == "+14155550123"


def test_caller_hanging_up_mid_menu_leaves_a_complete_log(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.press("2")
    call.hang_up(duration="17")
    log = events(app, call)
    assert log[-1]["kind"] == "call"
    assert log[-1]["text"] == "Caller hung up in the menu at 'technical'"
    assert log[-1]["duration"] == 17 and log[-1]["hung_up_in_menu"] is True
    assert [e["kind"] for e in log].count("dtmf") == 2
    session = app.extensions["hotline"].sessions.load(call.sid)
    assert session.status == "ended" and session.ended_at


def test_retried_webhook_gets_the_same_answer_and_adds_nothing(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    path = call.next_path
    first = call.post(path, call.form(Digits="1"), idempotency="retry-token-1")
    before = events(app, call)
    again = call.post(path, call.form(Digits="1"), idempotency="retry-token-1")
    assert again.body == first.body
    assert events(app, call) == before


def test_retry_without_idempotency_header_is_recognised_by_its_url(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    path = call.next_path
    form = call.form(Digits="1")
    signature = call.validator.compute_signature("http://hotline.test" + path, form)
    client = app.test_client()
    first = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    count = len(events(app, call))
    second = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert second.get_data() == first.get_data()
    assert len(events(app, call)) == count


def test_status_callback_twice_ends_the_call_once(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    call.hang_up()
    call.hang_up()
    assert [e.get("event") for e in events(app, call)].count("ended") == 1


def test_two_app_instances_serve_alternate_steps_of_one_call(redis_url: str) -> None:
    first, second = make_app(redis_url), make_app(redis_url)
    call = TwilioCall(first.test_client())
    call.start()
    call.client = second.test_client()
    call.press("1")
    call.client = first.test_client()
    call.say("internet")
    call.client = second.test_client()
    call.press("1")
    routing = second.extensions["hotline"].sessions.load(call.sid).routing
    assert routing.issue == "technical/internet" and routing.tier == "L2"
    kinds = [e["kind"] for e in events(first, call)]
    assert kinds.count("decision") == 1 and kinds.count("dtmf") == 2


def test_extra_unknown_form_fields_are_accepted(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    reply = call.post("/voice/incoming", call.form(StirVerstat="TN-Validation-Passed-A",
                                                    SomeFutureField="x"))
    assert reply.status == 200
    assert reply.xml.find("Gather") is not None


def test_calls_api_returns_session_and_transcript(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    client = app.test_client()
    unauthorised = client.get(f"/api/v1/calls/{call.sid}")
    assert unauthorised.status_code == 401
    assert unauthorised.get_json()["error"]["field"] == "Authorization"
    ok = client.get(f"/api/v1/calls/{call.sid}",
                    headers={"Authorization": "Bearer test-admin-token"})
    body = ok.get_json()
    assert body["call"]["node"] == "main" and body["call"]["language"] == "en"
    assert [e["kind"] for e in body["transcript"]][:2] == ["call", "prompt"]
    missing = client.get("/api/v1/calls/CAnope",
                         headers={"Authorization": "Bearer test-admin-token"})
    assert missing.status_code == 404


def test_a_new_call_reads_back_whole_with_only_what_it_knows_stored(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    deps = app.extensions["hotline"]
    session = deps.sessions.load(call.sid)
    assert session is not None
    assert (session.caller, session.region, session.timezone) == (
        "+14155550123", "US", "America/Los_Angeles")
    assert (session.node, session.path, session.attempts, session.status) == (
        "language", ["language"], 0, "in-menu")
    assert (session.words, session.routing, session.ended_at, session.rev) == ([], None, "", 1)
    stored = deps.redis.hgetall(keys.call(call.sid))
    assert {b"words", b"attempts", b"decision", b"status", b"ended_at"}.isdisjoint(stored)


def test_signed_voicemail_replayed_with_fresh_tokens_is_recorded_once(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.press("1")
    record = call.press("2").xml.find(".//Record")
    assert record is not None
    path = str(record.get("action")).removeprefix("http://hotline.test")
    form = call.form(RecordingSid="RE" + "1" * 32, RecordingDuration="7",
                     RecordingUrl="https://api.twilio.com/2010-04-01/Recordings/RE1")
    replies = {call.post(path, form).body for _ in range(4)}  # each with a fresh token
    assert len(replies) == 1
    assert [e["kind"] for e in events(app, call)].count("recording") == 1


def test_key_press_replayed_with_a_fresh_token_adds_one_step(app: Flask) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    path = call.next_path
    first = call.post(path, call.form(Digits="1"), idempotency="captured")
    count = len(events(app, call))
    again = call.post(path, call.form(Digits="1"), idempotency="fresh")
    assert again.body == first.body
    assert len(events(app, call)) == count
