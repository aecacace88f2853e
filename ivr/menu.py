"""The menu tree model: immutable values, built by `menu_loader`, checked by `menu_rules`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from core.opening_hours import OpeningHours
from core.phrases import DEFAULT_LANGUAGE, DEFAULTS
from ivr.recording_policy import RecordingPolicy
from ivr.speech import normalise

MENU = "(menu)"
"""The node name used in problems that concern the tree as a whole."""


class OutcomeKind(StrEnum):
    ROUTE = "route"
    CALLBACK = "callback"
    VOICEMAIL = "voicemail"
    TRANSFER = "transfer"
    MESSAGE = "message"


TIERS = ("L1", "L2", "L3")
FACTS = ("vip", "repeat_call", "outage", "urgent_words")
COMMANDS = ("human", "repeat", "back", "yes", "no")
"""Words callers may say at any question (human, repeat, back) or to a confirmation (yes, no)."""


@dataclass(frozen=True)
class Outcome:
    """Where a caller ends up: a queue, a callback offer, voicemail, a transfer or a message."""

    kind: OutcomeKind
    issue: str = ""
    tier: str = "L1"
    queue: str = ""
    skills: tuple[str, ...] = ()
    priority: str = ""
    number: str = ""
    message: dict[str, str] = field(default_factory=dict)
    expect: tuple[str, ...] = ()
    """A voicemail's expected phrases (English): offline transcription listens for them."""


@dataclass(frozen=True)
class Target:
    """What choosing something leads to: another node (`goto`) or an outcome."""

    goto: str | None = None
    outcome: Outcome | None = None


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    """The label in the tree's default language (transcripts, problems)."""
    target: Target
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    language: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    """The label per language, as the caller hears it (a plain label serves every language)."""

    def label_in(self, language: str) -> str:
        return self.labels.get(language, self.label)


@dataclass(frozen=True)
class Node:
    id: str
    prompt: dict[str, str]
    options: tuple[Option, ...]
    default: Target | None = None
    issue: str = ""
    sensitive: bool = False
    """The caller keys card details here: the call's recording is paused while they do, and
    what they key is never stored."""

    @property
    def chooses_language(self) -> bool:
        return any(option.language for option in self.options)

    def option_for_key(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    def targets(self) -> list[Target]:
        found = [option.target for option in self.options]
        return found + ([self.default] if self.default else [])


@dataclass(frozen=True)
class PriorityRule:
    """When `fact` holds: lift the priority to at least `at_least`, then by `raise_by`."""

    fact: str
    at_least: str = ""
    raise_by: int = 0


@dataclass(frozen=True)
class PriorityPolicy:
    levels: tuple[str, ...] = ("low", "normal", "high", "urgent")
    default: str = "normal"
    rules: tuple[PriorityRule, ...] = ()
    urgent_words: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class MenuSettings:
    max_attempts: int = 3
    max_depth: int = 4
    timeout: int = 6
    min_confidence: float = 0.3
    """Words heard with less confidence are not understood (the question is asked again)."""
    confirm_below: float = 0.6
    """Words heard with less confidence (but at least `min_confidence`) are confirmed first."""
    human_key: str = "0"
    repeat_key: str = "*"
    back_key: str = "#"

    @property
    def reserved_keys(self) -> dict[str, str]:
        return {self.human_key: "human", self.repeat_key: "repeat", self.back_key: "back"}


def _shipped_messages() -> dict[str, dict[str, str]]:
    return {name: {DEFAULT_LANGUAGE: text} for name, text in DEFAULTS.items()}


@dataclass(frozen=True)
class Messages:
    """Every sentence Hotline itself says, by name and language: the shipped English catalogue
    (`core.phrases.DEFAULTS`) with the tree's `messages:` laid over it."""

    texts: dict[str, dict[str, str]] = field(default_factory=_shipped_messages)

    def of(self, name: str) -> dict[str, str]:
        """Message `name` per language (e.g. "goodbye", "confirm" with its `{option}`)."""
        return self.texts.get(name, {})


@dataclass(frozen=True)
class Survey:
    """The optional post-call satisfaction question (keys 1 to 5), per language."""

    prompt: dict[str, str]
    thanks: dict[str, str]


@dataclass(frozen=True)
class Menu:
    """A whole validated menu tree, identified by a content hash (`version`)."""

    version: str
    name: str
    languages: dict[str, str]
    default_language: str
    start: str
    nodes: dict[str, Node]
    human: Outcome
    fallback: Outcome
    settings: MenuSettings = field(default_factory=MenuSettings)
    priority: PriorityPolicy = field(default_factory=PriorityPolicy)
    commands: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    messages: Messages = field(default_factory=Messages)
    survey: Survey | None = None
    hours: OpeningHours | None = None
    after_hours: Outcome | None = None
    """Where a call that would join a queue goes while the contact centre is closed."""
    region_languages: dict[str, str] = field(default_factory=dict)
    """The language of callers from a region (ISO 3166 code of their number), who are then
    not asked to choose one."""
    recording: RecordingPolicy = field(default_factory=RecordingPolicy)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    @cached_property
    def sensitive_nodes(self) -> frozenset[str]:
        return frozenset(n.id for n in self.nodes.values() if n.sensitive)

    @cached_property
    def numbering(self) -> Numbering:
        return Numbering(tuple(self.nodes), tuple(self.languages))

    def language_of(self, region: str | None) -> str | None:
        """The language of a caller from `region` when this line leaves no choice, else None."""
        if len(self.languages) == 1:
            return next(iter(self.languages))
        return self.region_languages.get(region) if region else None

    def phrases_within(self, node_id: str, language: str) -> dict[str, tuple[str, ...]]:
        """Per option key of `node_id`: its own phrases in `language` and those of every option
        beneath it, so that words naming a deeper choice also choose the way to it."""
        key = (node_id, language)
        found = self._phrases_within.get(key)
        if found is None:
            node = self.nodes[node_id]
            found = {o.key: (*o.phrases.get(language, ()), *self._below(o.target, language))
                     for o in node.options}
            self._phrases_within[key] = found
        return found

    def voicemail_phrases(self, issue: str) -> tuple[str, ...]:
        """The phrases expected in a voicemail about `issue` (every such outcome's)."""
        found: list[str] = []
        for node in self.nodes.values():
            for target in node.targets():
                outcome = target.outcome
                if outcome and outcome.kind is OutcomeKind.VOICEMAIL and outcome.issue == issue:
                    found.extend(outcome.expect)
        return tuple(dict.fromkeys(found))

    def words_in(self, language: str) -> frozenset[str]:
        """Every word of the prompts and messages in `language`, normalised: what the line
        itself says in that language."""
        found = self._words_in.get(language)
        if found is None:
            texts = [n.prompt.get(language, "") for n in self.nodes.values()]
            texts += [by_lang.get(language, "") for by_lang in vars(self.messages).values()]
            found = frozenset(normalise(" ".join(texts)).split())
            self._words_in[language] = found
        return found

    @cached_property
    def _words_in(self) -> dict[str, frozenset[str]]:
        return {}

    @cached_property
    def _phrases_within(self) -> dict[tuple[str, str], dict[str, tuple[str, ...]]]:
        return {}

    def _below(self, target: Target, language: str) -> list[str]:
        found: list[str] = []
        seen: set[str] = set()
        waiting = [target.goto] if target.goto else []
        while waiting:
            node_id = waiting.pop()
            if node_id in seen or node_id not in self.nodes:
                continue
            seen.add(node_id)
            for option in self.nodes[node_id].options:
                found.extend(option.phrases.get(language, ()))
                if option.target.goto:
                    waiting.append(option.target.goto)
        return found


class Numbering:
    """Numbers for a menu's nodes and languages in document order: short, plain names for them
    (in a URL, say) that hold for the menu's version."""

    def __init__(self, nodes: tuple[str, ...], languages: tuple[str, ...]) -> None:
        self.nodes = nodes
        self.languages = languages
        self.node_numbers = {node: number for number, node in enumerate(nodes)}
        self.language_numbers = {language: number for number, language in enumerate(languages)}
