"""A menu that listens: the caller's words carry down the tree, pick the language, and are
confirmed when the recogniser is unsure; the outage notice follows the language."""

from __future__ import annotations

import pytest
import redis
from flask import Flask

from core.errors import MenuInvalid
from ivr import caller_facts
from ivr.menu_loader import example_menu_path, load_menu
from tests.ivr_app import SMALL_MENU, call_events, make_app
from tests.test_voice_navigation import routing_of
from tests.twilio_requests import TwilioCall

MEXICO = "+525512345678"
EXAMPLE_LANGUAGE_QUESTION = ["For English, press 1 or say English.",
                             "Para español, oprima 2 o diga español."]
EXAMPLE_MAIN_EN = ("Tell me in a few words why you are calling, or press 1 for billing, 2 for "
                   "technical support, 3 for your account, 4 to report an outage. Press 0 for an "
                   "agent at any time.")
EXAMPLE_MAIN_ES = ("Dígame en pocas palabras por qué llama, u oprima 1 para facturación, 2 para "
                   "soporte técnico, 3 para su cuenta, 4 para reportar una interrupción. Oprima 0 "
                   "para hablar con un agente.")


@pytest.fixture
def app(redis_url: str) -> Flask:
    return make_app(redis_url, menu_file=example_menu_path())


def new_call(app: Flask, caller: str = "+14155550123") -> TwilioCall:
    return TwilioCall(app.test_client(), caller=caller)


def at_main(app: Flask, language_key: str = "1") -> TwilioCall:
    """A call past the language question (1 English, 2 Spanish), at the main question."""
    call = new_call(app)
    call.start()
    call.press(language_key)
    return call


class Turns:
    """A call from its first question, counting the questions the caller answers."""

    def __init__(self, call: TwilioCall) -> None:
        self.call = call
        self.count = 0
        self.last = call.start()

    def say(self, words: str) -> None:
        assert self.last.xml.find(".//Gather") is not None, "the call asks nothing more"
        self.count += 1
        self.last = self.call.say(words)

    @property
    def routed(self) -> bool:
        return self.last.xml.find(".//Gather") is None


# 1. Words carry down the menu.

def test_first_words_naming_a_leaf_route_there_at_once(app: Flask) -> None:
    call = at_main(app)
    reply = call.say("my internet is down")
    assert reply.action() == "/queues/enter"
    assert routing_of(app, call).issue == "technical/internet-down"


def test_words_narrowing_to_a_subtree_ask_only_what_is_still_open(app: Flask) -> None:
    call = at_main(app)
    reply = call.say("something with my internet")
    assert reply.says() == ["Internet. If your internet is down, press 1. If it is slow or "
                            "drops, press 2. If your business line is down, press 3."]
    call.press("2")
    assert routing_of(app, call).issue == "technical/internet-slow"


def test_a_category_word_alone_asks_that_category(app: Flask) -> None:
    call = at_main(app)
    reply = call.say("I have a question about my invoice")
    assert reply.says()[0].startswith("Billing. For a wrong charge on your invoice, press 1.")


def test_keys_still_move_one_level_at_a_time(app: Flask) -> None:
    reply = at_main(app).press("2")
    assert reply.says() == ["Technical support. For internet, press 1. For TV, press 2. "
                            "For mobile service, press 3."]


def test_unsure_words_are_confirmed_briefly_then_followed(app: Flask) -> None:
    call = at_main(app)
    reply = call.say("my internet is down", confidence="0.45")
    assert reply.says() == ["Internet down, is that right? Press 1 or say yes; 2 or say no."]
    reply = call.say("yes")
    assert reply.action() == "/queues/enter"
    assert routing_of(app, call).issue == "technical/internet-down"


def test_unsure_words_denied_ask_the_same_question_again(app: Flask) -> None:
    call = at_main(app)
    call.say("my internet is down", confidence="0.45")
    reply = call.press("2")
    assert reply.says() == [EXAMPLE_MAIN_EN]
    reply = call.press("1")
    assert reply.says()[0].startswith("Billing.")


def test_a_question_asked_again_drops_the_pending_confirmation(app: Flask) -> None:
    call = at_main(app)
    call.say("my internet is down", confidence="0.45")
    # Twilio posts the Voice URL again for the same call, mid-call (the same form as the first
    # post would be a retry of it, answered as it was)
    again = call.post("/voice/incoming", call.form())
    assert again.says() == [EXAMPLE_MAIN_EN]
    assert call.say("yes").says() == ["Sorry, I didn't get that.", EXAMPLE_MAIN_EN]


def test_a_confirmation_must_name_the_option() -> None:
    source = example_menu_path().read_text(encoding="utf-8")
    with pytest.raises(MenuInvalid, match="messages.confirm: the 'en' text must say"):
        load_menu(source.replace("{option}, is that right?", "Is that right?"))


def test_bare_yes_and_no_in_yaml_are_explained() -> None:
    source = example_menu_path().read_text(encoding="utf-8")
    with pytest.raises(MenuInvalid, match='commands.True: .* write "yes" or "no"'):
        load_menu(source.replace('  "yes": {', "  yes: {"))


def test_confirmation_is_in_the_callers_language(app: Flask) -> None:
    call = at_main(app, "2")
    reply = call.say("no tengo internet", confidence="0.45")
    assert reply.says() == ["Sin internet, ¿es correcto? Oprima 1 o diga sí; 2 o diga no."]
    gather = reply.xml.find("Gather")
    assert gather is not None and gather.get("language") == "es-US"
    call.say("sí")
    assert routing_of(app, call).issue == "technical/internet-down"


def test_words_below_the_minimum_confidence_are_not_understood(app: Flask) -> None:
    call = at_main(app)
    reply = call.say("my internet is down", confidence="0.2")
    assert reply.says()[0] == "Sorry, I didn't get that."


def test_unsure_words_that_name_nothing_are_not_understood(app: Flask) -> None:
    call = at_main(app)
    reply = call.say("mumble mumble", confidence="0.45")
    assert reply.says()[0] == "Sorry, I didn't get that."


# 2. Language: skipped where the number or the line has one; else taken from the first words.

def test_a_number_from_a_region_with_one_language_is_not_asked(app: Flask) -> None:
    reply = new_call(app, caller=MEXICO).start()
    assert reply.says() == [EXAMPLE_MAIN_ES]
    gather = reply.xml.find("Gather")
    assert gather is not None and gather.get("language") == "es-US"


def test_a_us_number_on_a_two_language_line_is_asked(app: Flask) -> None:
    assert new_call(app).start().says() == EXAMPLE_LANGUAGE_QUESTION


def test_a_line_with_one_language_never_asks(redis_url: str, tmp_path: object) -> None:
    from pathlib import Path

    lines = SMALL_MENU.read_text(encoding="utf-8").replace(
        "languages: {en: en-US, es: es-US}", "languages: {en: en-US}").splitlines()
    source = "\n".join(line for line in lines if "language: es" not in line)
    one = Path(str(tmp_path)) / "one.yaml"
    one.write_text(source, encoding="utf-8")
    app = make_app(redis_url, menu_file=one)
    assert new_call(app).start().says() == [
        "For billing, press 1. For technical support, press 2."]


def test_region_languages_are_validated() -> None:
    source = example_menu_path().read_text(encoding="utf-8")
    bad = source.replace("region_languages: {", "region_languages: {XX: en, FR: fr, ")
    with pytest.raises(MenuInvalid) as raised:
        load_menu(bad)
    said = " ".join(p.message for p in raised.value.problems)
    assert "'XX' is not a region" in said and "'fr'" in said


def test_keys_at_the_language_question_still_choose_the_language(app: Flask) -> None:
    call = new_call(app)
    call.start()
    assert call.press("2").says() == [EXAMPLE_MAIN_ES]


def test_first_words_choose_the_language_and_the_reason(app: Flask) -> None:
    call = new_call(app)
    call.start()
    reply = call.say("tengo un problema con la televisión")
    assert reply.action() == "/queues/enter"
    assert reply.says() == ["Gracias. Le comunicamos con el equipo indicado."]
    assert routing_of(app, call).issue == "technical/tv"


# 3. The outage notice follows the language choice, in the caller's language.

def test_outage_notice_waits_for_the_language_then_plays_in_it(
    app: Flask, redis_client: redis.Redis
) -> None:
    caller_facts.set_outage(redis_client, "technical", "We know about the outage in the north.")
    call = new_call(app)
    assert call.start().says() == EXAMPLE_LANGUAGE_QUESTION
    assert call.press("1").says() == ["We know about the outage in the north.", EXAMPLE_MAIN_EN]
    spanish = new_call(app, caller="+14155550124")
    spanish.start()
    assert spanish.press("2").says() == [
        "Tenemos una interrupción del servicio y ya estamos trabajando en ella.", EXAMPLE_MAIN_ES]


def test_outage_notice_set_per_language(app: Flask, redis_client: redis.Redis) -> None:
    caller_facts.set_outage(redis_client, "technical", "Outage in the north.", language="en")
    caller_facts.set_outage(redis_client, "technical", "Interrupción en el norte.", language="es")
    assert new_call(app, caller=MEXICO).start().says() == [
        "Interrupción en el norte.", EXAMPLE_MAIN_ES]
    call = new_call(app)
    call.start()
    reply = call.say("my internet is down")
    assert reply.says() == ["Outage in the north.",
                            "Thank you. Connecting you to the right team now."]
    routing = routing_of(app, call)
    assert (routing.priority, routing.reasons) == ("high", ("outage",))
    assert caller_facts.clear_outage(redis_client, "technical")
    assert caller_facts.active_outages(redis_client) == {}


# 4. Done when: the top issues by speech in at most two turns, from the very first question.

@pytest.mark.parametrize(("words", "issue", "priority"), [
    ("my internet is down and it is urgent", "technical/internet-down", "high"),
    ("my invoice is wrong", "billing/dispute", "normal"),
    ("no tengo internet y es urgente", "technical/internet-down", "high"),
    ("mi factura está mal", "billing/dispute", "normal"),
])
def test_top_issues_are_routed_by_speech_in_at_most_two_turns(
    app: Flask, words: str, issue: str, priority: str
) -> None:
    turns = Turns(new_call(app))
    while not turns.routed and turns.count < 2:
        turns.say(words)
    assert turns.routed and turns.last.action() == "/queues/enter"
    assert turns.count <= 2
    routing = routing_of(app, turns.call)
    assert (routing.issue, routing.priority) == (issue, priority)


# 5. Words said at the language question are told apart from the reason for calling.

def test_words_that_only_chose_the_language_are_not_the_reason(app: Flask) -> None:
    call = new_call(app)
    call.start()
    call.say("English please")
    call.say("my invoice is wrong")
    speech = [e for e in call_events(app, call.sid) if e["kind"] == "speech"]
    assert [(e["node"], e.get("language_choice", False)) for e in speech] == [
        ("language", True), ("main", False)]
    session = app.extensions["hotline"].sessions.load(call.sid)
    assert session.words == ["my invoice is wrong"]


def test_first_words_that_also_give_the_reason_count_as_the_reason(app: Flask) -> None:
    call = new_call(app)
    call.start()
    call.say("my invoice is wrong")
    speech = [e for e in call_events(app, call.sid) if e["kind"] == "speech"]
    assert [(e["node"], e.get("language_choice", False)) for e in speech] == [
        ("language", False)]
    assert app.extensions["hotline"].sessions.load(call.sid).words == ["my invoice is wrong"]


def test_a_confirmation_band_below_the_minimum_is_refused() -> None:
    source = example_menu_path().read_text(encoding="utf-8")
    with pytest.raises(MenuInvalid, match="settings.confirm_below: must be at least"):
        load_menu(source.replace("confirm_below: 0.6", "confirm_below: 0.2"))
