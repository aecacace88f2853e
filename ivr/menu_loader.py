"""Reading a menu tree from YAML into the model, reporting every problem at once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from core import hours
from core.errors import MenuInvalid, MenuProblem
from core.opening_hours import OpeningHours
from core.phrases import DEFAULTS
from core.settings import CallbackSettings, with_callback_section
from ivr import menu_yaml
from ivr.menu import (
    MENU,
    Menu,
    MenuSettings,
    Messages,
    Node,
    Option,
    Outcome,
    OutcomeKind,
    PriorityPolicy,
    PriorityRule,
    Survey,
    Target,
)
from ivr.menu_rules import validate
from ivr.recording_policy import read_policy

TARGET_FIELDS = ("goto", *(kind.value for kind in OutcomeKind))
_TOP_FIELDS = {"name", "languages", "default_language", "start", "settings", "human",
               "fallback", "commands", "messages", "priority", "nodes", "survey", "hours",
               "after_hours", "callbacks", "region_languages", "recording"}
_OPTION_FIELDS = {"key", "label", "phrases", "language", *TARGET_FIELDS}
_NODE_FIELDS = {"prompt", "options", "default", "issue", "sensitive"}
_ROUTE_FIELDS = {"issue", "queue", "tier", "skills", "priority", "message"}
_KEYS = set("0123456789*#")
T = TypeVar("T")


def example_menu_path() -> Path:
    """The example tree shipped with Hotline."""
    return Path(__file__).parent / "menus" / "example.yaml"


def load_menu_file(path: Path) -> Menu:
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        problem = MenuProblem(MENU, "unreadable-file", f"{path}: {exc.strerror}")
        raise MenuInvalid([problem]) from None
    return load_menu(source, str(path))


def load_menu(source: str, name: str = "the menu") -> Menu:
    """The menu in YAML `source` (`name` says where it came from in problems); raises
    MenuInvalid listing every problem found."""
    data = menu_yaml.parse(source, name)
    if not isinstance(data, dict):
        raise MenuInvalid([MenuProblem(MENU, "invalid-field", "the menu must be a mapping")])
    reader = _Reader()
    menu = reader.menu(data, hashlib.sha256(source.encode()).hexdigest()[:12])
    problems = reader.problems + (validate(menu) if not reader.problems else [])
    if problems:
        raise MenuInvalid(problems)
    return menu


def problems_in(source: str, name: str = "the menu") -> list[MenuProblem]:
    """Every rule the tree in `source` breaks; empty when it could be published."""
    try:
        load_menu(source, name)
    except MenuInvalid as invalid:
        return invalid.problems
    return []


class _Reader:
    """Builds model values from parsed YAML, noting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[MenuProblem] = []
        self.default_language = ""

    def fail(self, node: str, field: str, message: str) -> None:
        self.problems.append(MenuProblem(node, "invalid-field", f"{field}: {message}"))

    def menu(self, data: dict[str, Any], version: str) -> Menu:
        self._unknown(MENU, "", data, _TOP_FIELDS)
        self.callbacks(data.get("callbacks"))
        languages = self._texts(MENU, "languages", data.get("languages"), required=True)
        self.default_language = str(data.get("default_language") or next(iter(languages), ""))
        nodes_raw = self._mapping(MENU, "nodes", data.get("nodes"))
        nodes = {str(k): self.node(str(k), v) for k, v in nodes_raw.items()}
        return Menu(
            version=version,
            name=self._text(MENU, "name", data.get("name"), default="Hotline menu"),
            languages=languages,
            default_language=self._text(MENU, "default_language", data.get("default_language"),
                                        default=next(iter(languages), "en")),
            start=self._text(MENU, "start", data.get("start")),
            nodes=nodes,
            human=self.target(MENU, "human", data.get("human"), outcome_only=True).outcome
            or _GENERAL,
            fallback=self.target(MENU, "fallback", data.get("fallback"), outcome_only=True).outcome
            or _GENERAL,
            settings=self.settings(data.get("settings")),
            priority=self.priority(data.get("priority")),
            commands={str(k): self._phrases(MENU, f"commands.{k}", v)
                      for k, v in self._mapping(MENU, "commands", data.get("commands")).items()},
            messages=self.messages(data.get("messages")),
            survey=self.survey(data.get("survey")),
            hours=self.hours(data.get("hours")),
            after_hours=self.target(MENU, "after_hours", data["after_hours"],
                                    outcome_only=True).outcome
            if "after_hours" in data else None,
            region_languages=self._texts(MENU, "region_languages", data.get("region_languages")),
            recording=read_policy(data.get("recording"), lambda f, why: self.fail(MENU, f, why)),
        )

    def node(self, node_id: str, data: Any) -> Node:
        if not isinstance(data, dict):
            self.fail(node_id, "", "a node must be a mapping")
            return Node(node_id, {}, ())
        self._unknown(node_id, "", data, _NODE_FIELDS)
        options_raw = data.get("options", [])
        if not isinstance(options_raw, list):
            self.fail(node_id, "options", "must be a list")
            options_raw = []
        default = data.get("default")
        return Node(
            id=node_id,
            prompt=self._texts(node_id, "prompt", data.get("prompt"), required=True),
            options=tuple(self.option(node_id, i, o) for i, o in enumerate(options_raw)),
            default=self.target(node_id, "default", default) if default is not None else None,
            issue=self._text(node_id, "issue", data.get("issue"), default=""),
            sensitive=data.get("sensitive") is True,
        )

    def option(self, node_id: str, index: int, data: Any) -> Option:
        where = f"options[{index}]"
        if not isinstance(data, dict):
            self.fail(node_id, where, "an option must be a mapping")
            return Option("", "", Target())
        self._unknown(node_id, where, data, _OPTION_FIELDS)
        key = str(data.get("key", ""))
        if key not in _KEYS:
            self.fail(node_id, f"{where}.key", "must be one of 0-9, * or #")
        language = data.get("language")
        label = data.get("label")
        labels = self._texts(node_id, f"{where}.label", label) if isinstance(label, dict) else {}
        return Option(
            key=key,
            label=labels.get(self.default_language) or next(iter(labels.values()), "")
            if labels else self._text(node_id, f"{where}.label", label),
            target=self.target(node_id, where, data, allow_none=True),
            phrases=self._phrases(node_id, f"{where}.phrases", data.get("phrases")),
            language=str(language) if language is not None else None,
            labels=labels,
        )

    def target(self, node_id: str, where: str, data: Any, outcome_only: bool = False,
               allow_none: bool = False) -> Target:
        if not isinstance(data, dict):
            self.fail(node_id, where, f"must be a mapping with one of {', '.join(TARGET_FIELDS)}")
            return Target()
        given = [name for name in TARGET_FIELDS if name in data]
        if len(given) > 1:
            self.fail(node_id, where, f"give one of {', '.join(given)}, not several")
        if not given:
            if not allow_none:
                self.fail(node_id, where, f"needs one of {', '.join(TARGET_FIELDS)}")
            return Target()
        name = given[0]
        if name == "goto":
            if outcome_only:
                self.fail(node_id, where, "must be an outcome, not goto")
                return Target()
            return Target(goto=self._text(node_id, f"{where}.goto", data["goto"]))
        return Target(outcome=self.outcome(node_id, f"{where}.{name}", OutcomeKind(name),
                                           data[name]))

    def outcome(self, node_id: str, where: str, kind: OutcomeKind, data: Any) -> Outcome:
        if kind is OutcomeKind.MESSAGE:
            return Outcome(kind, message=self._texts(node_id, where, data, required=True))
        body = self._mapping(node_id, where, data)
        allowed = {"number", "message"} if kind is OutcomeKind.TRANSFER else _ROUTE_FIELDS
        if kind is OutcomeKind.VOICEMAIL:
            allowed = allowed | {"expect"}
        self._unknown(node_id, where, body, allowed)
        skills = body.get("skills", [])
        if not isinstance(skills, list):
            self.fail(node_id, f"{where}.skills", "must be a list")
            skills = []
        expect = body.get("expect", [])
        if not isinstance(expect, list) or not all(isinstance(e, str) for e in expect):
            self.fail(node_id, f"{where}.expect", "must be a list of English phrases")
            expect = []
        return Outcome(
            kind=kind,
            issue=self._text(node_id, f"{where}.issue", body.get("issue"), default=""),
            tier=self._text(node_id, f"{where}.tier", body.get("tier"), default="L1"),
            queue=self._text(node_id, f"{where}.queue", body.get("queue"), default=""),
            skills=tuple(str(s) for s in skills),
            priority=self._text(node_id, f"{where}.priority", body.get("priority"), default=""),
            number=self._text(node_id, f"{where}.number", body.get("number"),
                              default="" if kind is not OutcomeKind.TRANSFER else None),
            message=self._texts(node_id, f"{where}.message", body.get("message")),
            expect=tuple(expect),
        )

    def settings(self, data: Any) -> MenuSettings:
        body = self._mapping(MENU, "settings", data)
        self._unknown(MENU, "settings", body, {"max_attempts", "max_depth", "timeout",
                                               "min_confidence", "confirm_below", "keys"})
        base = MenuSettings()
        keys = self._mapping(MENU, "settings.keys", body.get("keys"))
        self._unknown(MENU, "settings.keys", keys, {"human", "repeat", "back"})
        settings = MenuSettings(
            max_attempts=self._count(body, "max_attempts", base.max_attempts),
            max_depth=self._count(body, "max_depth", base.max_depth),
            timeout=self._count(body, "timeout", base.timeout),
            min_confidence=self._fraction(body, "min_confidence", base.min_confidence),
            confirm_below=self._fraction(body, "confirm_below", base.confirm_below),
            human_key=self._key(keys, "human", base.human_key),
            repeat_key=self._key(keys, "repeat", base.repeat_key),
            back_key=self._key(keys, "back", base.back_key),
        )
        if settings.confirm_below < settings.min_confidence:
            self.fail(MENU, "settings.confirm_below", "must be at least min_confidence "
                      f"({settings.min_confidence})")
        return settings

    def priority(self, data: Any) -> PriorityPolicy:
        body = self._mapping(MENU, "priority", data)
        self._unknown(MENU, "priority", body, {"levels", "default", "rules", "urgent_words"})
        base = PriorityPolicy()
        levels = body.get("levels", list(base.levels))
        if not isinstance(levels, list) or not levels:
            self.fail(MENU, "priority.levels", "must be a non-empty list, lowest first")
            levels = list(base.levels)
        rules_raw = body.get("rules", [])
        if not isinstance(rules_raw, list):
            self.fail(MENU, "priority.rules", "must be a list")
            rules_raw = []
        return PriorityPolicy(
            levels=tuple(str(level) for level in levels),
            default=self._text(MENU, "priority.default", body.get("default"),
                               default=base.default),
            rules=tuple(self.rule(i, r) for i, r in enumerate(rules_raw)),
            urgent_words=self._phrases(MENU, "priority.urgent_words", body.get("urgent_words")),
        )

    def rule(self, index: int, data: Any) -> PriorityRule:
        where = f"priority.rules[{index}]"
        body = self._mapping(MENU, where, data)
        self._unknown(MENU, where, body, {"when", "at_least", "raise"})
        raise_by = body.get("raise", 0)
        if not isinstance(raise_by, int) or raise_by < 0:
            self.fail(MENU, f"{where}.raise", "must be a whole number of levels, 0 or more")
            raise_by = 0
        return PriorityRule(
            fact=self._text(MENU, f"{where}.when", body.get("when")),
            at_least=self._text(MENU, f"{where}.at_least", body.get("at_least"), default=""),
            raise_by=raise_by,
        )

    def survey(self, data: Any) -> Survey | None:
        if data is None:
            return None
        body = self._mapping(MENU, "survey", data)
        self._unknown(MENU, "survey", body, {"prompt", "thanks"})
        return Survey(prompt=self._texts(MENU, "survey.prompt", body.get("prompt"), True),
                      thanks=self._texts(MENU, "survey.thanks", body.get("thanks"), True))

    def hours(self, data: Any) -> OpeningHours | None:
        if data is None:
            return None
        body = self._mapping(MENU, "hours", data)
        self._unknown(MENU, "hours", body, {"timezone", "open", "days", "holidays"})
        zone = self._read("hours.timezone", hours.parse_zone,
                          self._text(MENU, "hours.timezone", body.get("timezone")))
        opens_closes = self._read("hours.open", hours.parse_range,
                                  self._text(MENU, "hours.open", body.get("open")))
        days = self._read("hours.days", hours.parse_days,
                          self._text(MENU, "hours.days", body.get("days"), default="mon-fri"))
        country = "" if body.get("holidays") is None else self._read(
            "hours.holidays", hours.parse_holidays,
            self._text(MENU, "hours.holidays", body.get("holidays")))
        if zone is None or opens_closes is None or days is None or country is None:
            return None
        return OpeningHours(zone, *opens_closes, days, country)

    def callbacks(self, data: Any) -> None:
        """Note what the callback offer could not use in the `callbacks:` section, read with
        the settings' own reader (the section stays in the source, where callbacks find it)."""
        body = self._mapping(MENU, "callbacks", data)
        for key, why in with_callback_section(CallbackSettings(), body)[1]:
            self.fail(MENU, f"callbacks.{key}", why)

    def messages(self, data: Any) -> Messages:
        """The shipped catalogue with the tree's texts laid over it, language by language."""
        body = self._mapping(MENU, "messages", data)
        self._unknown(MENU, "messages", body, set(DEFAULTS))
        shipped = Messages().texts
        return Messages({name: {**shipped[name],
                                **self._texts(MENU, f"messages.{name}", body.get(name))}
                         for name in DEFAULTS})

    # Small typed readers; each notes a problem and returns a usable default.

    def _read(self, field: str, parse: Callable[[str], T], text: str) -> T | None:
        """`text` as `parse` reads it (core.hours, as at run time), or None noting why not."""
        if not text:
            return None  # missing or not text: already noted
        try:
            return parse(text)
        except ValueError as exc:
            self.fail(MENU, field, str(exc))
            return None

    def _unknown(self, node: str, where: str, data: dict[str, Any], allowed: set[str]) -> None:
        for name in data:
            if name not in allowed:
                self.fail(node, f"{where}.{name}".lstrip("."), "unknown field")

    def _mapping(self, node: str, field: str, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(node, field, "must be a mapping")
            return {}
        return value

    def _text(self, node: str, field: str, value: Any, default: str | None = None) -> str:
        if value is None and default is not None:
            return default
        if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
            self.fail(node, field, "required text" if value is None else "must be text")
            return default or ""
        return str(value)

    def _texts(self, node: str, field: str, value: Any, required: bool = False) -> dict[str, str]:
        if value is None and not required:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.fail(node, field, "must map each language code to text")
            return {}
        return {str(k): v for k, v in value.items()}

    def _phrases(self, node: str, field: str, value: Any) -> dict[str, tuple[str, ...]]:
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
            self.fail(node, field, "must map each language code to a list of phrases")
            return {}
        return {str(k): tuple(str(p) for p in v) for k, v in value.items()}

    def _count(self, body: dict[str, Any], name: str, default: int) -> int:
        value = body.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.fail(MENU, f"settings.{name}", "must be a whole number, 1 or more")
            return default
        return value

    def _fraction(self, body: dict[str, Any], name: str, default: float) -> float:
        value = body.get(name, default)
        if not isinstance(value, int | float) or not 0 <= value <= 1:
            self.fail(MENU, f"settings.{name}", "must be a number from 0 to 1")
            return default
        return float(value)

    def _key(self, keys: dict[str, Any], name: str, default: str) -> str:
        value = str(keys.get(name, default))
        if value not in _KEYS:
            self.fail(MENU, f"settings.keys.{name}", "must be one of 0-9, * or #")
            return default
        return value


_GENERAL = Outcome(OutcomeKind.ROUTE, issue="general", queue="general")
