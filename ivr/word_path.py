"""Where a caller's words lead from one question: the options they choose level by level, as
the keys a caller would press, matched against everything beneath each option. Pure logic."""

from __future__ import annotations

from ivr import speech
from ivr.menu import Menu, Node, Option


def word_keys(menu: Menu, node_id: str, language: str, said: str) -> tuple[str, ...]:
    """The keys of the options `said` chooses from `node_id` down, as deep as the words decide;
    empty when they choose nothing. At a language question the words choose the language too."""
    keys: list[str] = []
    seen: set[str] = set()
    node = menu.node(node_id)
    while node.id not in seen:
        seen.add(node.id)
        option = _language_option(menu, node, said, language) if node.chooses_language \
            else _option(menu, node, said, language)
        if option is None:
            break
        keys.append(option.key)
        language = option.language or language
        if option.target.goto is None:
            break
        node = menu.node(option.target.goto)
    return tuple(keys)


def _option(menu: Menu, node: Node, said: str, language: str) -> Option | None:
    key = speech.best_match(said, menu.phrases_within(node.id, language))
    return node.option_for_key(key) if key is not None else None


def _language_option(menu: Menu, node: Node, said: str, current: str) -> Option | None:
    """The language named ("English", "español"), else the one whose phrases beneath the
    question (and urgent words) account for more of what was said; on a tie, the one whose
    prompts and messages hold more of the words said, then `current`."""
    named = {o.key: [p for phrases in o.phrases.values() for p in phrases] for o in node.options}
    key = speech.best_match(said, named)
    if key is not None:
        return node.option_for_key(key)
    heard = speech.normalise(said).split()
    scored = [(_covered(menu, option, said),
               sum(word in menu.words_in(option.language) for word in heard),
               option.language == current, -index, option)
              for index, option in enumerate(node.options) if option.language]
    best = max(scored, key=lambda item: item[:4], default=None)
    return best[4] if best is not None and best[0] > 0 else None


def _covered(menu: Menu, option: Option, said: str) -> int:
    assert option.language is not None
    language = option.language
    below = [p for phrases in _within(menu, option, language) for p in phrases]
    return speech.words_covered(said, [*below, *menu.priority.urgent_words.get(language, ())])


def _within(menu: Menu, option: Option, language: str) -> list[tuple[str, ...]]:
    goto = option.target.goto
    return list(menu.phrases_within(goto, language).values()) if goto else []
