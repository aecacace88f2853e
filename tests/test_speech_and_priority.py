"""Pure rules: how speech is matched to options, and how priority is computed."""

from __future__ import annotations

from ivr.menu import PriorityPolicy, PriorityRule
from ivr.priority import prioritise
from ivr.speech import best_match, contains_any, normalise, spoken_key

POLICY = PriorityPolicy(
    levels=("low", "normal", "high", "urgent"),
    default="normal",
    rules=(PriorityRule("vip", at_least="high"), PriorityRule("repeat_call", raise_by=1)),
)


def test_normalise_drops_case_accents_and_punctuation() -> None:
    assert normalise("  Facturación, POR favor! ") == "facturacion por favor"


def test_phrases_match_whole_words_only() -> None:
    options = {"1": ["bill"], "2": ["internet"]}
    assert best_match("my bill is too high", options) == "1"
    assert best_match("I was billed twice", options) is None


def test_longest_phrase_wins_over_a_shorter_one() -> None:
    options = {"1": ["internet"], "2": ["internet is down"]}
    assert best_match("my internet is down since noon", options) == "2"


def test_equal_phrases_go_to_the_one_said_first() -> None:
    options = {"1": ["billing"], "2": ["internet"]}
    assert best_match("internet and then billing", options) == "2"


def test_spoken_key_needs_the_whole_utterance() -> None:
    assert spoken_key("two") == "2"
    assert spoken_key("Press 3.") == "3"
    assert spoken_key("opción dos") == "2"
    assert spoken_key("down for 2 days") is None


def test_contains_any_finds_urgent_words() -> None:
    assert contains_any("This is URGENT!", ["urgent"])
    assert not contains_any("no urgency", ["urgent"])


def test_priority_starts_at_the_outcome_level_or_the_default() -> None:
    assert prioritise(POLICY, "", set()) == ("normal", [])
    assert prioritise(POLICY, "low", set()) == ("low", [])


def test_at_least_never_lowers_and_raise_is_capped() -> None:
    assert prioritise(POLICY, "urgent", {"vip"}) == ("urgent", [])
    assert prioritise(POLICY, "high", {"vip", "repeat_call"}) == ("urgent", ["repeat_call"])
    assert prioritise(POLICY, "urgent", {"repeat_call"}) == ("urgent", [])
