"""Whatever Twilio (or anyone) posts, a webhook answers valid TwiML or a 4xx, never a 5xx."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ivr_app import make_app
from tests.twilio_requests import TwilioCall

PATHS = ["/voice/incoming", "/voice/menu", "/voice/status", "/voice/fallback",
         "/voice/voicemail", "/voice/transfer", "/queues/enter", "/queues/wait",
         "/callbacks/offer", "/voice/after-queue", "/voice/survey", "/recordings/status",
         "/recordings/transcription", "/recordings/consent",
         "/recordings/consent?consent=opt-out&key=9", "/recordings/consent?consent=announce",
         "/recordings/consent?consent=opt-out&key=&answered=1"]
FIELDS = ["CallSid", "From", "To", "Digits", "SpeechResult", "Confidence", "CallStatus",
          "CallDuration", "RecordingSid", "RecordingUrl", "RecordingDuration",
          "DialCallStatus", "Caller", "AccountSid", "QueueResult", "RecordingStatus",
          "TranscriptionStatus", "TranscriptionText"]

text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
queries = st.one_of(
    st.sampled_from(["", "?s=1", "?s=2&silence=1", "?s=x", "?silence=", "?s=999999999"]),
    st.builds("?s={}&v={}&p={}&a={}&l={}".format, st.integers(-2, 4),
              st.text(alphabet="0123456789abcdef%", max_size=12),
              st.sampled_from(["0", "0.1", "0.1.2", "9.9", "", "0..1"]), st.integers(-1, 4),
              st.integers(-1, 3)),
)
forms = st.dictionaries(st.one_of(st.sampled_from(FIELDS), text), text, max_size=8)
call_sids = st.one_of(st.just("CA" + "a" * 32), text)


@pytest.fixture
def app(redis_url: str) -> Flask:
    # Function-scoped fixtures are built once per test, not per example: one app, many inputs.
    return make_app(redis_url)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), query=queries, form=forms, call_sid=call_sids,
       signed=st.booleans())
def test_random_webhook_input_never_gets_a_5xx(
    app: Flask, path: str, query: str, form: dict[str, str], call_sid: str, signed: bool
) -> None:
    call = TwilioCall(app.test_client())
    form = {"CallSid": call_sid, **form}
    reply = call.post(path + query, form, signature=None if signed else "forged")
    assert reply.status < 500, reply.body
    if reply.status == 200:
        assert ET.fromstring(reply.body).tag == "Response"
    else:
        assert 400 <= reply.status < 500


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["press", "say", "silence"]),
                                st.text(max_size=12)), max_size=12))
def test_any_sequence_of_caller_inputs_keeps_the_call_alive(
    app: Flask, steps: list[tuple[str, str]]
) -> None:
    call = TwilioCall(app.test_client())
    reply = call.start()
    for action, value in steps:
        if reply.xml.find(".//Gather") is None:
            break
        if action == "press":
            reply = call.press(value[:1] or "9")
        elif action == "say":
            reply = call.say(value)
        else:
            reply = call.silence()
        assert reply.status == 200
        assert reply.says(), "the caller must never hear silence"


