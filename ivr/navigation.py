"""Moving through a menu tree: what the caller's input means and where it leads. Pure logic."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from ivr import speech
from ivr.menu import Menu, Node, Option, Outcome, Target
from ivr.word_path import word_keys


class Heard(StrEnum):
    OPTION = "option"
    HUMAN = "human"
    REPEAT = "repeat"
    BACK = "back"
    UNKNOWN = "unknown"
    SILENCE = "silence"
    UNCLEAR = "unclear"
    UNSURE = "unsure"
    """Words that lead somewhere, heard with low confidence: asked to confirm."""
    REJECTED = "rejected"
    """The caller said no to a confirmation."""


NAVIGATION = ("human", "repeat", "back")
"""The commands that work at every question."""


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
    proposal: str = ""
    """Keys the words would press, waiting for the caller to confirm them."""
    language_only: bool = False
    """Words that chose the language and nothing more (so they are no reason for calling)."""


def start(menu: Menu, region: str | None = None) -> Position:
    """Where a call begins: past the language question when the line or the caller's region
    leaves no choice."""
    language = menu.language_of(region)
    first = Position(menu.start, (menu.start,), 0, language or menu.default_language)
    node = menu.node(menu.start)
    if language is None or not node.chooses_language:
        return first
    chosen = next((o for o in node.options if o.language == language), None)
    if chosen is None or chosen.target.goto is None:
        return first
    return Position(chosen.target.goto, (chosen.target.goto,), 0, language)


def settles_language(menu: Menu, before: Position, move: Move) -> bool:
    """Whether `move` leaves the language question: the caller's language is known from now."""
    if not menu.node(before.node).chooses_language or move.heard is Heard.UNSURE:
        return False
    return move.outcome is not None or not menu.node(move.position.node).chooses_language


def proposed_language(menu: Menu, position: Position, proposal: str) -> str:
    """The language a confirmation is asked in: the one its keys would choose, if any."""
    option = menu.node(position.node).option_for_key(proposal[:1])
    return (option.language if option else None) or position.language


def proposed_option(menu: Menu, position: Position, proposal: str) -> Option | None:
    """The last option the proposal's keys would choose (what a confirmation names)."""
    return _follow_keys(menu, position, proposal, Heard.OPTION).option


def interpret(
    menu: Menu, node: Node, language: str, given: CallerInput
) -> tuple[Heard, Option | None]:
    """What a key, silence, a spoken key ("two") or a command (human/repeat/back) means at
    `node`; words naming options are `word_path`'s."""
    if given.digits:
        return _interpret_key(menu, node, given.digits)
    if not given.speech.strip():
        return Heard.SILENCE, None
    if given.confidence is not None and given.confidence < menu.settings.min_confidence:
        return Heard.UNCLEAR, None
    key = speech.spoken_key(given.speech)
    if key is not None:
        return _interpret_key(menu, node, key)
    command = _command(menu, given.speech, language, NAVIGATION)
    return (Heard(command), None) if command else (Heard.UNKNOWN, None)


def _command(menu: Menu, said: str, language: str, names: tuple[str, ...]) -> str | None:
    commands = {name: menu.commands.get(name, {}).get(language, ()) for name in names}
    return speech.best_match(said, commands)


def advance(menu: Menu, position: Position, given: CallerInput, proposal: str = "") -> Move:
    """Apply one caller input at `position`; `proposal` is a confirmation being answered.

    A key chooses one option. Words choose as deep as they decide (see `word_path`); heard
    with low confidence, they are proposed for the caller to confirm first.
    """
    if proposal:
        agreed = _agreed(menu, proposed_language(menu, position, proposal), given)
        if agreed is not None:
            return _follow_keys(menu, position, proposal, Heard.OPTION) if agreed \
                else _failed(menu, menu.node(position.node), position, Heard.REJECTED)
    node = menu.node(position.node)
    said = given.speech.strip()
    if said and not given.digits:
        keys = word_keys(menu, node.id, position.language, said)
        if keys:
            return _words(menu, position, keys, given)
    if node.sensitive and node.default is not None and len(given.digits) > 1:
        return _follow(menu, position, node.default, Heard.OPTION)  # card details keyed
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


def _words(menu: Menu, position: Position, keys: tuple[str, ...], given: CallerInput) -> Move:
    confidence = 1.0 if given.confidence is None else given.confidence
    if confidence < menu.settings.min_confidence:
        return _failed(menu, menu.node(position.node), position, Heard.UNCLEAR)
    proposal = "".join(keys)
    if confidence < menu.settings.confirm_below:
        return Move(Heard.UNSURE, position, proposed_option(menu, position, proposal),
                    proposal=proposal)
    move = _follow_keys(menu, position, proposal, Heard.OPTION)
    chose_language = len(keys) == 1 and menu.node(position.node).chooses_language
    return replace(move, language_only=chose_language and move.outcome is None)


def _agreed(menu: Menu, language: str, given: CallerInput) -> bool | None:
    """The answer to a confirmation: True (1, yes), False (2, no), None (anything else)."""
    key = given.digits or speech.spoken_key(given.speech) or ""
    if not key and given.speech.strip():
        key = {"yes": "1", "no": "2"}.get(_command(menu, given.speech, language,
                                                   ("yes", "no")) or "", "")
    return {"1": True, "2": False}.get(key)


def _follow_keys(menu: Menu, position: Position, keys: str, heard: Heard) -> Move:
    """Choose the options of `keys` one level each from `position`, stopping at an outcome."""
    move = Move(heard, position)
    for key in keys:
        here = move.position
        option = menu.node(here.node).option_for_key(key)
        if option is None:
            break
        chosen = replace(here, language=option.language or here.language)
        move = _follow(menu, chosen, option.target, heard, option)
        if move.outcome is not None:
            break
    return move


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
        reason = {Heard.SILENCE: "no_input", Heard.REJECTED: None}.get(heard, "not_understood")
        return Move(heard, replace(position, attempts=attempts), reprompt=reason)
    target = node.default or Target(outcome=menu.fallback)
    return _follow(menu, replace(position, attempts=0), target, heard, by_default=True)
