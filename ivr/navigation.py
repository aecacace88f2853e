"""Moving through a menu tree: what the caller's input means and where it leads. Pure logic."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from ivr import speech
from ivr.menu import Menu, Node, Option, Outcome, Target


class Heard(StrEnum):
    OPTION = "option"
    HUMAN = "human"
    REPEAT = "repeat"
    BACK = "back"
    UNKNOWN = "unknown"
    SILENCE = "silence"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class CallerInput:
    """What Twilio's <Gather> reported: keys pressed, or words said with their confidence."""

    digits: str = ""
    speech: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class Position:
    """Where a caller is: the node, the nodes passed to get there, failed tries, language."""

    node: str
    path: tuple[str, ...]
    attempts: int
    language: str


@dataclass(frozen=True)
class Move:
    """The result of one input: what it meant, the new position, and an outcome if reached."""

    heard: Heard
    position: Position
    option: Option | None = None
    outcome: Outcome | None = None
    reprompt: str | None = None
    by_default: bool = False


def start(menu: Menu) -> Position:
    return Position(menu.start, (menu.start,), 0, menu.default_language)


def interpret(
    menu: Menu, node: Node, language: str, given: CallerInput
) -> tuple[Heard, Option | None]:
    """What an input means at `node`: an option, a command (human/repeat/back) or nothing."""
    if given.digits:
        return _interpret_key(menu, node, given.digits)
    if not given.speech.strip():
        return Heard.SILENCE, None
    if given.confidence is not None and given.confidence < menu.settings.min_confidence:
        return Heard.UNCLEAR, None
    phrases = {o.key: o.phrases.get(language, ()) for o in node.options}
    key = speech.best_match(given.speech, phrases) or speech.spoken_key(given.speech)
    if key is not None:
        return _interpret_key(menu, node, key)
    commands = {name: by_lang.get(language, ()) for name, by_lang in menu.commands.items()}
    command = speech.best_match(given.speech, commands)
    return (Heard(command), None) if command else (Heard.UNKNOWN, None)


def advance(menu: Menu, position: Position, given: CallerInput) -> Move:
    """Apply one caller input at `position`."""
    node = menu.node(position.node)
    heard, option = interpret(menu, node, position.language, given)
    if heard is Heard.OPTION and option is not None:
        language = option.language or position.language
        here = Position(position.node, position.path, position.attempts, language)
        return _follow(menu, here, option.target, heard, option)
    if heard is Heard.HUMAN:
        return Move(heard, position, outcome=menu.human)
    if heard is Heard.REPEAT:
        return Move(heard, position)
    if heard is Heard.BACK:
        return Move(heard, _back(position))
    return _failed(menu, node, position, heard)


def _interpret_key(menu: Menu, node: Node, key: str) -> tuple[Heard, Option | None]:
    command = menu.settings.reserved_keys.get(key)
    if command:
        return Heard(command), None
    option = node.option_for_key(key)
    return (Heard.OPTION, option) if option else (Heard.UNKNOWN, None)


def _follow(menu: Menu, position: Position, target: Target, heard: Heard,
            option: Option | None = None, by_default: bool = False) -> Move:
    if target.outcome is not None:
        return Move(heard, position, option, outcome=target.outcome, by_default=by_default)
    assert target.goto is not None, "menu_rules guarantees every target leads somewhere"
    moved = Position(target.goto, (*position.path, target.goto), 0, position.language)
    return Move(heard, moved, option, by_default=by_default)


def _back(position: Position) -> Position:
    if len(position.path) < 2:
        return replace(position, attempts=0)
    path = position.path[:-1]
    return replace(position, node=path[-1], path=path, attempts=0)


def _failed(menu: Menu, node: Node, position: Position, heard: Heard) -> Move:
    attempts = position.attempts + 1
    if attempts < menu.settings.max_attempts:
        reason = "no_input" if heard is Heard.SILENCE else "not_understood"
        return Move(heard, replace(position, attempts=attempts), reprompt=reason)
    target = node.default or Target(outcome=menu.fallback)
    return _follow(menu, replace(position, attempts=0), target, heard, by_default=True)
