"""Pure: where a caller's words lead through the example menu, as the keys they press."""

from __future__ import annotations

import pytest

from ivr.menu import Menu
from ivr.menu_loader import example_menu_path, load_menu_file
from ivr.speech import words_covered
from ivr.word_path import word_keys


@pytest.fixture(scope="module")
def menu() -> Menu:
    return load_menu_file(example_menu_path())


def test_words_go_as_deep_as_they_decide(menu: Menu) -> None:
    assert word_keys(menu, "main", "en", "my internet is down") == ("2", "1", "1")
    assert word_keys(menu, "main", "en", "the router again") == ("2", "1")
    assert word_keys(menu, "main", "en", "a question about my bill") == ("1",)
    assert word_keys(menu, "main", "en", "hello there") == ()


def test_words_at_the_language_question_choose_the_language_first(menu: Menu) -> None:
    assert word_keys(menu, "language", "en", "español por favor") == ("2",)
    assert word_keys(menu, "language", "en", "mi factura está mal") == ("2", "1", "1")
    assert word_keys(menu, "language", "en", "my invoice is wrong") == ("1", "1", "1")


def test_a_language_tie_goes_to_the_language_of_the_other_words(menu: Menu) -> None:
    # "internet" is a phrase in both languages; "tengo" and "un" are in the Spanish prompts.
    assert word_keys(menu, "language", "en", "tengo un problema con internet")[0] == "2"
    assert word_keys(menu, "language", "en", "internet")[0] == "1"


def test_words_covered_counts_each_word_once() -> None:
    assert words_covered("my internet is down", ["internet", "internet is down"]) == 3
    assert words_covered("nothing here", ["internet"]) == 0
