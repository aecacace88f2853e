"""A menu step is decided on the place its action URL carries (one round trip) only while the
call is still where that URL says; otherwise, or for words and outcomes, on the stored session."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import redis
from flask import Flask

from core import keys
from core.clock import FixedClock
from core.events import Event, EventKind
from core.session import SessionStore
from tests.ivr_app import NOW, call_events, make_app
from tests.twilio_requests import TwilioCall


@pytest.fixture
def app(redis_url: str) -> Flask:
    return make_app(redis_url)


def events(app: Flask, call: TwilioCall) -> list[dict[str, Any]]:
    return call_events(app, call.sid)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CallSids whose session a step read before deciding."""
    seen: list[str] = []
    read = SessionStore.read

    def counted(store: SessionStore, call_sid: str, *args: object, **kwargs: object) -> object:
        seen.append(call_sid)
        return read(store, call_sid, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SessionStore, "read", counted)
    return seen


@pytest.fixture
def call(app: Flask, reads: list[str]) -> TwilioCall:
    """A call asked its first question, with the reads that took forgotten."""
    started = TwilioCall(app.test_client())
    started.start()
    reads.clear()
    return started


def test_keys_move_a_call_through_the_menu_without_reading_its_session(
    call: TwilioCall, app: Flask, redis_client: redis.Redis, reads: list[str]
) -> None:
    assert "For billing, press 1" in call.press("1").says()[0]
    assert "For a wrong charge" in call.press("1").says()[0]
    assert "Sorry, I didn't get that." in call.press("9").says()
    assert reads == []
    session = redis_client.hgetall(keys.call(call.sid))
    assert (session[b"node"], session[b"attempts"]) == (b"billing", b"1")
    assert json.loads(session[b"path"]) == ["language", "main", "billing"]
    logged = [e["text"] for e in events(app, call)]
    assert "Pressed 9 (unknown)" in logged


def test_an_answer_to_an_earlier_question_applies_where_the_call_is_now(
    call: TwilioCall, reads: list[str]
) -> None:
    language_question = call.next_path
    call.press("1")  # English: now at the main menu
    reads.clear()
    reply = call.post(language_question, call.form(Digits="2"))  # a late post, not a retry
    # 2 at the main menu (technical support), not 2 at the language question (Spanish)
    assert reply.says() == ["If your internet is down, press 1. For collections, press 2. "
                            "To get a callback, press 3."]
    assert reads == [call.sid]


def test_a_call_changed_elsewhere_is_stepped_from_its_stored_session(
    call: TwilioCall, app: Flask, redis_client: redis.Redis, reads: list[str]
) -> None:
    call.press("1")
    sessions: SessionStore = app.extensions["hotline"].sessions
    note = Event(NOW, EventKind.NOTE, "Supervisor listened in")
    assert sessions.note(call.sid, "note:1", [note])
    reads.clear()
    reply = call.press("1")
    assert "For a wrong charge" in reply.says()[0]
    assert reads == [call.sid]
    logged = [e["text"] for e in events(app, call)]
    assert logged.index("Supervisor listened in") < logged.index("Pressed 1 (Billing)")


def test_words_and_outcomes_are_decided_on_the_whole_session(
    call: TwilioCall, app: Flask, redis_client: redis.Redis, reads: list[str]
) -> None:
    call.say("english")
    assert reads == [call.sid]
    call.press("1")
    call.say("my invoice is wrong, it's urgent")
    assert redis_client.hget(keys.call(call.sid), "status") == b"routed"
    decision = [e for e in events(app, call) if e["kind"] == "decision"]
    assert decision[0]["priority"] == "high"  # the urgent word, kept from the whole session


def test_a_signed_url_naming_no_sensible_place_still_steps_the_call(
    call: TwilioCall, reads: list[str]
) -> None:
    for query in ("s=1&v=nosuchmenu&p=0&a=0&l=0", "s=1&v=&p=0.99&a=0&l=0", "s=1&p=x&a=-1"):
        reads.clear()
        reply = call.post(f"/voice/menu?{query}", call.form(Digits="*"))
        assert reply.status == 200 and "For English, press 1." in reply.says()
        assert reads == [call.sid]


def test_callers_pressing_the_same_key_at_the_same_place_each_get_their_own_log(
    redis_url: str, reads: list[str]
) -> None:
    clock = FixedClock(NOW)
    app = make_app(redis_url, clock)
    first, second = TwilioCall(app.test_client()), TwilioCall(app.test_client())
    first.start()
    second.start()
    reads.clear()
    first.press("1")
    clock.set(NOW + timedelta(seconds=42))
    second.press("1")
    assert reads == []
    for call, at in ((first, "2026-11-24T15:00:00.000Z"), (second, "2026-11-24T15:00:42.000Z")):
        logged = call_events(app, call.sid)
        pressed = [e for e in logged if e["kind"] == "dtmf"]
        assert [(e["text"], e["at"]) for e in pressed] == [("Pressed 1 (English)", at)]
        assert [e["at"] for e in logged if e["kind"] == "prompt"][-1] == at
        assert "For billing, press 1" in logged[-1]["text"]
