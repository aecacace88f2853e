"""Moving through a menu, from plain values: a Menu loaded from YAML, no Flask, no Redis."""

from __future__ import annotations

from ivr.menu import OutcomeKind
from ivr.menu_loader import load_menu
from ivr.navigation import CallerInput, Heard, Position, advance, start

MENU_YAML = """
name: Navigation test line
languages: {en: en-US}
default_language: en
start: main
settings: {max_attempts: 3}
human: {route: {issue: general, queue: general, tier: L1}}
fallback: {route: {issue: general, queue: general, tier: L1}}
commands:
  human: {en: [agent]}
  repeat: {en: [repeat]}
  back: {en: [go back]}
nodes:
  main:
    prompt: {en: "For billing, press 1. For support, press 2."}
    options:
      - {key: "1", label: Billing, phrases: {en: [billing]}, goto: billing}
      - {key: "2", label: Support, phrases: {en: [support]},
         route: {issue: support, queue: tech, tier: L2}}
    default: {route: {issue: general, queue: general, tier: L1}}
  billing:
    issue: billing
    prompt: {en: "For a wrong charge, press 1."}
    options:
      - {key: "1", label: Wrong charge, phrases: {en: [wrong charge]},
         route: {issue: billing/dispute, queue: billing, tier: L1}}
"""
MENU = load_menu(MENU_YAML)
AT_MAIN = Position("main", ("main",), 0, "en")
AT_BILLING = Position("billing", ("main", "billing"), 0, "en")


def test_a_call_starts_at_the_menus_start() -> None:
    assert start(MENU) == AT_MAIN


def test_a_key_leads_to_the_next_question() -> None:
    move = advance(MENU, AT_MAIN, CallerInput(digits="1"))
    assert move.heard is Heard.OPTION
    assert move.position == AT_BILLING
    assert move.outcome is None
    assert move.option is not None and move.option.label == "Billing"


def test_a_key_reaches_an_outcome() -> None:
    move = advance(MENU, AT_MAIN, CallerInput(digits="2"))
    assert move.outcome is not None
    assert move.outcome.kind is OutcomeKind.ROUTE
    assert move.outcome.queue == "tech"


def test_a_wrong_key_is_asked_again_until_the_default_is_taken() -> None:
    move = advance(MENU, AT_MAIN, CallerInput(digits="7"))
    assert move.heard is Heard.UNKNOWN
    assert move.reprompt == "not_understood"
    assert move.position == Position("main", ("main",), 1, "en")
    assert move.outcome is None
    last = advance(MENU, Position("main", ("main",), 2, "en"), CallerInput(digits="7"))
    assert last.by_default
    assert last.outcome is not None and last.outcome.queue == "general"


def test_the_human_key_and_word_reach_a_person() -> None:
    for given in (CallerInput(digits="0"), CallerInput(speech="agent", confidence=0.9)):
        move = advance(MENU, AT_BILLING, given)
        assert move.heard is Heard.HUMAN
        assert move.outcome == MENU.human


def test_repeat_stays_and_back_returns_to_the_previous_question() -> None:
    repeat = advance(MENU, AT_BILLING, CallerInput(digits="*"))
    assert repeat.heard is Heard.REPEAT
    assert repeat.position == AT_BILLING
    back = advance(MENU, AT_BILLING, CallerInput(digits="#"))
    assert back.heard is Heard.BACK
    assert back.position == AT_MAIN
    assert advance(MENU, AT_MAIN, CallerInput(digits="#")).position == AT_MAIN


def test_silence_is_asked_again_with_the_no_input_prompt() -> None:
    move = advance(MENU, AT_MAIN, CallerInput())
    assert move.heard is Heard.SILENCE
    assert move.reprompt == "no_input"
    assert move.position.attempts == 1


def test_words_choose_as_deep_as_they_decide() -> None:
    move = advance(MENU, AT_MAIN, CallerInput(speech="wrong charge", confidence=0.9))
    assert move.outcome is not None and move.outcome.issue == "billing/dispute"
