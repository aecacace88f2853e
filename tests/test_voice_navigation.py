"""Callers moving through the menu by keys and by speech, and what they hear."""

from __future__ import annotations

import pytest
from flask import Flask

from core.routing import Routing
from tests.ivr_app import make_app
from tests.twilio_requests import TwilioCall


@pytest.fixture
def app(redis_url: str) -> Flask:
    return make_app(redis_url)


@pytest.fixture
def call(app: Flask) -> TwilioCall:
    return TwilioCall(app.test_client())


def routing_of(app: Flask, call: TwilioCall) -> Routing:
    from core.deps import Dependencies

    deps: Dependencies = app.extensions["hotline"]
    session = deps.sessions.load(call.sid)
    assert session is not None and session.routing is not None
    return session.routing


def test_incoming_call_asks_for_language_in_each_language(call: TwilioCall) -> None:
    reply = call.start()
    gather = reply.xml.find("Gather")
    assert gather is not None
    assert gather.get("input") == "dtmf speech"
    assert [(s.text, s.get("language")) for s in gather.iter("Say")] == [
        ("For English, press 1.", "en-US"),
        ("Para español, oprima 2.", "es-US"),
    ]
    assert "english" in (gather.get("hints") or "")


def test_keys_lead_to_a_routing_decision(app: Flask, call: TwilioCall) -> None:
    call.start()
    call.press("1")
    call.press("1")
    reply = call.press("1")
    assert reply.says() == ["Connecting you now."]
    assert reply.action() == "/queues/enter"
    assert routing_of(app, call).to_dict() == {  # the stored shape, as older processes read it
        "outcome": "route", "issue": "billing/dispute", "priority": "normal", "tier": "L1",
        "queue": "billing", "skills": ["billing"], "reasons": [], "ticket": None,
        "preferred_agent": None,
    }


def test_speech_leads_to_the_same_place_as_keys(app: Flask, call: TwilioCall) -> None:
    call.start()
    call.say("English please")
    reply = call.say("my bill")
    assert reply.says() == [
        "For a wrong charge, press 1. To leave a message, press 2. For our hours, press 3."
    ]
    call.say("yes my invoice is wrong again")
    assert routing_of(app, call).issue == "billing/dispute"


def test_words_naming_a_leaf_skip_the_questions_above_it(app: Flask, call: TwilioCall) -> None:
    call.start()
    call.say("English please")
    reply = call.say("my invoice is wrong")
    assert reply.says() == ["Connecting you now."]
    assert routing_of(app, call).issue == "billing/dispute"


def test_spoken_digit_chooses_that_option(app: Flask, call: TwilioCall) -> None:
    call.start()
    call.say("one")
    call.say("two")
    call.say("press 1")
    assert routing_of(app, call).queue == "tech"


def test_spanish_caller_hears_spanish_and_speech_matches_spanish(
    app: Flask, call: TwilioCall
) -> None:
    call.start()
    reply = call.press("2")
    gather = reply.xml.find("Gather")
    assert gather is not None and gather.get("language") == "es-US"
    assert reply.says() == ["Para facturación, oprima 1. Para soporte técnico, oprima 2."]
    call.say("tengo un problema con mi factura")
    reply = call.say("un cobro incorrecto")
    assert reply.says() == ["Le comunicamos ahora."]
    assert routing_of(app, call).issue == "billing/dispute"


def test_wrong_key_is_reprompted_never_an_error(call: TwilioCall) -> None:
    call.start()
    call.press("1")
    reply = call.press("7")
    assert reply.says() == [
        "Sorry, I didn't get that.",
        "For billing, press 1. For technical support, press 2.",
    ]


def test_silence_reprompts_then_takes_the_default_route(app: Flask, call: TwilioCall) -> None:
    call.start()
    call.press("1")
    first = call.silence()
    second = call.silence()
    assert first.says()[0] == "Sorry, I didn't hear anything."
    assert second.says()[0] == "Sorry, I didn't hear anything."
    third = call.silence()
    assert third.action() == "/queues/enter"
    assert routing_of(app, call).issue == "general"


def test_unintelligible_speech_counts_as_not_understood(call: TwilioCall) -> None:
    call.start()
    call.press("1")
    reply = call.say("billing", confidence="0.1")
    assert reply.says()[0] == "Sorry, I didn't get that."


def test_zero_reaches_a_human_at_any_level(app: Flask, call: TwilioCall) -> None:
    call.start()
    call.press("1")
    call.press("2")
    reply = call.press("0")
    assert reply.action() == "/queues/enter"
    routing = routing_of(app, call)
    assert (routing.queue, routing.issue) == ("general", "general")


def test_saying_agent_reaches_a_human(app: Flask, call: TwilioCall) -> None:
    call.start()
    call.press("1")
    call.say("operator")
    assert routing_of(app, call).queue == "general"


def test_star_repeats_the_current_menu(call: TwilioCall) -> None:
    call.start()
    first = call.press("1")
    again = call.press("*")
    assert again.says() == first.says()


def test_hash_goes_back_one_level(call: TwilioCall) -> None:
    call.start()
    main = call.press("1")
    call.press("2")
    back = call.press("#")
    assert back.says() == main.says()
    top = call.press("#")
    assert top.says() == ["For English, press 1.", "Para español, oprima 2."]
    again = call.press("#")
    assert again.says() == top.says()


def test_message_outcome_says_it_then_hangs_up(call: TwilioCall) -> None:
    call.start()
    call.press("1")
    call.press("1")
    reply = call.press("3")
    assert reply.says() == ["We are open every day from 8 to 8.", "Goodbye."]
    assert reply.xml.find("Hangup") is not None


def test_voicemail_outcome_records_and_logs_the_recording(app: Flask, call: TwilioCall) -> None:
    call.start()
    call.press("1")
    call.press("1")
    reply = call.press("2")
    record = reply.xml.find("Record")
    assert record is not None
    assert reply.says() == ["Please leave a message after the tone."]
    path = (record.get("action") or "").removeprefix("http://hotline.test")
    done = call.post(path, call.form(RecordingSid="RE" + "a" * 32,
                                     RecordingUrl="https://api.twilio.com/rec/RE1",
                                     RecordingDuration="12"))
    assert done.says() == ["Goodbye."]
    kinds = [e["kind"] for e in app.extensions["hotline"].sessions.events(call.sid)]
    assert kinds[-1] == "recording"


def test_transfer_dials_the_number_and_a_failed_transfer_reaches_a_human(
    app: Flask, call: TwilioCall
) -> None:
    call.start()
    call.press("1")
    call.press("2")
    reply = call.press("2")
    dial = reply.xml.find("Dial")
    assert dial is not None and (dial.text or "").strip() == "+14155550199"
    path = (dial.get("action") or "").removeprefix("http://hotline.test")
    after = call.post(path, call.form(DialCallStatus="busy"))
    assert after.action() == "/queues/enter"
    assert routing_of(app, call).queue == "general"


def test_callback_outcome_goes_to_the_callback_offer(call: TwilioCall) -> None:
    call.start()
    call.press("1")
    call.press("2")
    reply = call.press("3")
    assert reply.action() == "/callbacks/offer"
    offer = call.post("/callbacks/offer", call.form())
    assert offer.status == 200
    assert offer.action().startswith("/callbacks/when?")
    assert "Press 2 to choose a time" in " ".join(offer.says())


def test_queue_hand_over_enqueues_into_the_decided_queue(call: TwilioCall) -> None:
    call.start()
    call.press("1")
    call.press("2")
    call.press("1")
    reply = call.post("/queues/enter?stay=1", call.form())
    enqueue = reply.xml.find("Enqueue")
    assert enqueue is not None and (enqueue.text or "").strip() == "tech"
    assert enqueue.get("waitUrl") == "http://hotline.test/queues/wait"
