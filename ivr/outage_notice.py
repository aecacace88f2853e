"""What a caller hears about flagged outages, in their language. Pure logic.

An outage flag is a field of the outages hash: the category (`technical`, `*` for all), or the
category and a language (`technical@es`) for a notice in that language. A notice set without a
language is in the menu's default language; a caller of another language with no notice of
their own hears the menu's generic `outage` message instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from ivr.menu import Menu

MARK = "@"


def flag(category: str, language: str | None = None) -> str:
    """The outages hash field of a notice for `category`, in `language` if given."""
    return f"{category}{MARK}{language}" if language else category


def category_of_flag(field: str) -> str:
    return field.split(MARK, 1)[0]


def notices(menu: Menu, outages: Mapping[str, str], language: str) -> tuple[str, ...]:
    """One sentence per flagged category, in `language`, without repeats."""
    by_category: dict[str, dict[str | None, str]] = {}
    for field, text in sorted(outages.items()):
        category, _, said_in = field.partition(MARK)
        by_category.setdefault(category, {})[said_in or None] = text
    said: list[str] = []
    for texts in by_category.values():
        own = texts.get(language) or (texts.get(None) if language == menu.default_language
                                      else None)
        text = own or menu.messages.of("outage").get(language, "")
        if text and text not in said:
            said.append(text)
    return tuple(said)
