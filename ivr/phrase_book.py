"""A menu version's phrase book (`core.phrases.PhraseBook`): the sentences Hotline says in each
of the tree's languages, and a caller-facing name for each issue the tree routes to (the label
of the option that leads there), for the features that speak to callers outside the menu."""

from __future__ import annotations

from core.phrases import PhraseBook
from ivr.menu import Menu, Option


def book_of(menu: Menu) -> PhraseBook:
    return PhraseBook(dict(menu.languages), menu.default_language, dict(menu.messages.texts),
                      issue_names(menu))


def issue_names(menu: Menu) -> dict[str, dict[str, str]]:
    """Each issue's name per language: the label of the option whose outcome has that issue,
    else of the option leading to the node that sets it; the first such option wins."""
    names: dict[str, dict[str, str]] = {}
    for node in menu.nodes.values():
        for option in node.options:
            issue = _issue_of(menu, option)
            if issue and issue not in names:
                names[issue] = _labels(menu, option)
    return names


def _issue_of(menu: Menu, option: Option) -> str:
    target = option.target
    if target.outcome is not None:
        return target.outcome.issue
    found = menu.nodes.get(target.goto or "")
    return found.issue if found is not None else ""


def _labels(menu: Menu, option: Option) -> dict[str, str]:
    return {language: option.label_in(language) for language in menu.languages}
