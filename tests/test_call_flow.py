"""One menu step of a call, from plain values: a Menu from YAML, a Context built by hand, no
Flask, no Redis."""

from __future__ import annotations

from datetime import UTC, datetime

from core.call_status import CallStatus
from core.events import EventKind
from ivr.call_flow import Context, Urls, begin, take_input
from ivr.caller_facts import CallerFacts
from ivr.navigation import CallerInput
from tests.test_navigation import MENU

BASE = "https://hotline.example"
CTX = Context(MENU, Urls(BASE), datetime(2026, 3, 2, 15, 0, tzinfo=UTC), 3600, CallerFacts)


def test_begin_opens_the_session_and_asks_the_first_question() -> None:
    answer = begin(CTX, "CA1", None, "+15550001111", {})
    assert answer.session.call_sid == "CA1"
    assert answer.session.node == "main"
    assert answer.session.menu_version == MENU.version
    assert [e.kind for e in answer.events] == [EventKind.CALL, EventKind.PROMPT]
    assert answer.events[1].text == "For billing, press 1. For support, press 2."
    assert "For billing, press 1. For support, press 2." in answer.twiml
    assert f"{BASE}/voice/menu?" in answer.twiml


def test_a_key_asks_the_next_question_and_logs_the_key() -> None:
    session = begin(CTX, "CA1", None, "+15550001111", {}).session
    answer = take_input(CTX, session, CallerInput(digits="1"))
    assert answer.session.node == "billing"
    assert answer.routing is None
    assert answer.events[0].kind is EventKind.DTMF
    assert "For a wrong charge, press 1." in answer.twiml


def test_a_key_to_a_queue_routes_the_call_there() -> None:
    session = begin(CTX, "CA1", None, "+15550001111", {}).session
    answer = take_input(CTX, session, CallerInput(digits="2"))
    assert answer.routing is not None
    assert answer.routing.queue == "tech"
    assert answer.routing.issue == "support"
    assert answer.session.status is CallStatus.ROUTED
    assert EventKind.DECISION in [e.kind for e in answer.events]
    assert f"{BASE}/queues/enter" in answer.twiml


def test_a_wrong_key_is_asked_again_with_an_apology() -> None:
    session = begin(CTX, "CA1", None, "+15550001111", {}).session
    answer = take_input(CTX, session, CallerInput(digits="7"))
    assert answer.session.node == "main"
    assert answer.session.attempts == 1
    assert answer.routing is None
    assert "Sorry, I didn't get that." in answer.twiml.replace("&apos;", "'")
    assert "For billing, press 1. For support, press 2." in answer.twiml


def test_silence_is_asked_again() -> None:
    session = begin(CTX, "CA1", None, "+15550001111", {}).session
    answer = take_input(CTX, session, CallerInput())
    assert answer.session.attempts == 1
    assert "Sorry, I didn't hear anything." in answer.twiml.replace("&apos;", "'")


def test_the_human_key_routes_to_a_person() -> None:
    session = begin(CTX, "CA1", None, "+15550001111", {}).session
    answer = take_input(CTX, session, CallerInput(digits="0"))
    assert answer.routing is not None
    assert answer.routing.queue == "general"


def test_repeat_asks_again_and_back_returns_to_the_previous_question() -> None:
    session = begin(CTX, "CA1", None, "+15550001111", {}).session
    billing = take_input(CTX, session, CallerInput(digits="1")).session
    repeated = take_input(CTX, billing, CallerInput(digits="*"))
    assert repeated.session.node == "billing"
    assert "For a wrong charge, press 1." in repeated.twiml
    back = take_input(CTX, billing, CallerInput(digits="#"))
    assert back.session.node == "main"
    assert "For billing, press 1. For support, press 2." in back.twiml
