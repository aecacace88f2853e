"""The rules a menu tree must keep; each check names the node and the rule it breaks."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator

import phonenumbers

from core.errors import MenuProblem
from core.phone import is_dialable
from core.phrases import DEFAULTS, placeholders
from core.spoken import FORMS
from ivr.menu import COMMANDS, FACTS, MENU, TIERS, Menu, Node, Outcome, OutcomeKind, Target

Problems = Iterator[MenuProblem]


def validate(menu: Menu) -> list[MenuProblem]:
    """Every rule `menu` breaks; empty when it is fit to serve calls."""
    checks: list[Callable[[Menu], Problems]] = [
        _start_exists, _targets_exist, _options_have_outcomes, _keys, _phrases,
        _translations, _messages, _languages, _outcomes, _after_hours, _priority, _reachable,
        _depth, _exits,
    ]
    return [problem for check in checks for problem in check(menu)]


def _start_exists(menu: Menu) -> Problems:
    if menu.start not in menu.nodes:
        yield MenuProblem(MENU, "unknown-target", f"start names no node: {menu.start!r}")


def _targets_exist(menu: Menu) -> Problems:
    for node in menu.nodes.values():
        places = [(f"options[{i}].goto", option.target) for i, option in enumerate(node.options)]
        places += [("default.goto", node.default)] if node.default else []
        for where, target in places:
            if target.goto is not None and target.goto not in menu.nodes:
                yield MenuProblem(node.id, "unknown-target", f"goto names no node: {target.goto!r}",
                                  where)


def _options_have_outcomes(menu: Menu) -> Problems:
    for node in menu.nodes.values():
        if not node.options:
            yield MenuProblem(node.id, "node-without-options", "a menu node needs options")
        for i, option in enumerate(node.options):
            if option.target.goto is None and option.target.outcome is None:
                yield MenuProblem(node.id, "option-without-outcome",
                                  f"option {option.key!r} ({option.label}) leads nowhere",
                                  f"options[{i}]")


def _keys(menu: Menu) -> Problems:
    reserved = menu.settings.reserved_keys
    for node in menu.nodes.values():
        seen: set[str] = set()
        for i, option in enumerate(node.options):
            if option.key in reserved:
                yield MenuProblem(node.id, "reserved-key", f"key {option.key!r} is reserved for "
                                  f"{reserved[option.key]} at every level", f"options[{i}].key")
            elif option.key in seen:
                yield MenuProblem(node.id, "duplicate-key", f"key {option.key!r} is used twice",
                                  f"options[{i}].key")
            seen.add(option.key)


def _phrases(menu: Menu) -> Problems:
    for node in menu.nodes.values():
        owners: dict[tuple[str, str], str] = {}
        for option in node.options:
            for language, phrases in option.phrases.items():
                for phrase in phrases:
                    key = (language, phrase.strip().lower())
                    if key in owners and owners[key] != option.key:
                        yield MenuProblem(node.id, "duplicate-phrase",
                                          f"{language} phrase {phrase!r} is given to options "
                                          f"{owners[key]!r} and {option.key!r}")
                    owners.setdefault(key, option.key)


def _translations(menu: Menu) -> Problems:
    for node_id, field, texts in _translatables(menu):
        for language in menu.languages:
            if language not in texts:
                yield MenuProblem(node_id, "missing-translation",
                                  f"{field} has no {language!r} text")


def _translatables(menu: Menu) -> Iterator[tuple[str, str, dict[str, object]]]:
    for node in menu.nodes.values():
        yield node.id, "prompt", dict(node.prompt)
        for option in node.options:
            if option.phrases:
                yield node.id, f"option {option.key!r} phrases", dict(option.phrases)
            if option.labels:
                yield node.id, f"option {option.key!r} label", dict(option.labels)
        for target in node.targets():
            if target.outcome is not None and target.outcome.message:
                yield node.id, f"{target.outcome.kind.value} message", dict(target.outcome.message)
    for name, by_language in menu.commands.items():
        yield MENU, f"commands.{name}", dict(by_language)
    if menu.priority.urgent_words:
        yield MENU, "priority.urgent_words", dict(menu.priority.urgent_words)
    if menu.after_hours is not None and menu.after_hours.message:
        yield MENU, "after_hours message", dict(menu.after_hours.message)
    if menu.survey is not None:
        yield MENU, "survey.prompt", dict(menu.survey.prompt)
        yield MENU, "survey.thanks", dict(menu.survey.thanks)


def _messages(menu: Menu) -> Problems:
    """Every sentence Hotline says has text in every language of the tree, filling in the same
    blanks as the shipped English ({position}, {when}, ...)."""
    for name, shipped in DEFAULTS.items():
        texts = menu.messages.of(name)
        for language in menu.languages:
            text = texts.get(language)
            if text is None:
                yield MenuProblem(MENU, "missing-translation",
                                  f"messages.{name}: no text for language {language}")
            elif placeholders(text) != placeholders(shipped):
                wanted = ", ".join(f"{{{p}}}" for p in sorted(placeholders(shipped))) or "none"
                yield MenuProblem(MENU, "invalid-field", f"messages.{name}: the {language} "
                                  f"text must fill in exactly these blanks: {wanted}")


def _languages(menu: Menu) -> Problems:
    for language in menu.languages:
        if language not in FORMS:
            yield MenuProblem(MENU, "unknown-language", f"languages.{language}: Hotline cannot "
                              f"say times and waits in {language!r} yet (it can in "
                              f"{', '.join(FORMS)})")
    if menu.default_language not in menu.languages:
        yield MenuProblem(MENU, "unknown-language",
                          f"default_language {menu.default_language!r} is not in languages")
    for node in menu.nodes.values():
        for option in node.options:
            if option.language is not None and option.language not in menu.languages:
                yield MenuProblem(node.id, "unknown-language",
                                  f"option {option.key!r} sets language {option.language!r}")
    for name in menu.commands:
        if name in ("True", "False"):
            yield MenuProblem(MENU, "invalid-field", f"commands.{name}: unknown command (YAML "
                              'reads a bare yes or no as true or false: write "yes" or "no")')
        elif name not in COMMANDS:
            yield MenuProblem(MENU, "invalid-field", f"commands.{name}: unknown command")
    for language, text in menu.messages.of("confirm").items():
        if "{option}" not in text:
            yield MenuProblem(MENU, "invalid-field", f"messages.confirm: the {language!r} text "
                              "must say {option} (the option the caller seems to mean)")
    for region, language in menu.region_languages.items():
        if region not in phonenumbers.SUPPORTED_REGIONS:
            yield MenuProblem(MENU, "unknown-region", f"region_languages: {region!r} is not a "
                              "region code of phone numbers (ISO 3166, such as MX)")
        if language not in menu.languages:
            yield MenuProblem(MENU, "unknown-language",
                              f"region_languages: {region} names language {language!r}, "
                              "which is not in languages")


def _after_hours(menu: Menu) -> Problems:
    if menu.hours is not None and menu.after_hours is None:
        yield MenuProblem(MENU, "missing-after-hours", "hours are set but after_hours is not: "
                          "say where calls go while closed")
    if menu.after_hours is not None and menu.after_hours.kind is OutcomeKind.ROUTE:
        yield MenuProblem(MENU, "after-hours-to-queue",
                          "after_hours must not route to a queue: nobody staffs it then")


def _outcomes(menu: Menu) -> Problems:
    places = [(MENU, "human", menu.human), (MENU, "fallback", menu.fallback)]
    if menu.after_hours is not None:
        places.append((MENU, "after_hours", menu.after_hours))
    for node in menu.nodes.values():
        places += [(node.id, t.outcome.kind.value, t.outcome) for t in node.targets()
                   if t.outcome is not None]
    for node_id, where, outcome in places:
        yield from _outcome_problems(menu, node_id, where, outcome)


def _outcome_problems(menu: Menu, node_id: str, where: str, outcome: Outcome) -> Problems:
    if outcome.tier not in TIERS:
        yield MenuProblem(node_id, "invalid-tier", f"{where}: tier {outcome.tier!r} is not "
                          f"one of {', '.join(TIERS)}")
    if outcome.priority and outcome.priority not in menu.priority.levels:
        yield MenuProblem(node_id, "unknown-priority", f"{where}: priority {outcome.priority!r}")
    if outcome.kind.value == "transfer" and not is_dialable(outcome.number, "US"):
        yield MenuProblem(node_id, "invalid-number",
                          f"{where}: {outcome.number!r} is not a valid phone number")


def _priority(menu: Menu) -> Problems:
    policy = menu.priority
    if policy.default not in policy.levels:
        yield MenuProblem(MENU, "unknown-priority", f"default {policy.default!r} is not a level")
    for rule in policy.rules:
        if rule.fact not in FACTS:
            yield MenuProblem(MENU, "unknown-fact",
                              f"rule when {rule.fact!r}: facts are {', '.join(FACTS)}")
        if rule.at_least and rule.at_least not in policy.levels:
            yield MenuProblem(MENU, "unknown-priority", f"rule at_least {rule.at_least!r}")


def _reachable(menu: Menu) -> Problems:
    reached = depths(menu)
    for node_id in menu.nodes:
        if node_id not in reached:
            yield MenuProblem(node_id, "unreachable-node",
                              f"no path from {menu.start!r} leads here")


def _depth(menu: Menu) -> Problems:
    limit = menu.settings.max_depth
    for node_id, depth in depths(menu).items():
        if depth > limit:
            yield MenuProblem(node_id, "too-deep",
                              f"callers need {depth} levels to get here; the limit is {limit}")


def depths(menu: Menu) -> dict[str, int]:
    """Shortest number of menu levels from the start to each reachable node (start = 1)."""
    if menu.start not in menu.nodes:
        return {}
    depths = {menu.start: 1}
    waiting = deque([menu.start])
    while waiting:
        node = menu.nodes[waiting.popleft()]
        for goto in _gotos(node):
            if goto in menu.nodes and goto not in depths:
                depths[goto] = depths[node.id] + 1
                waiting.append(goto)
    return depths


def _exits(menu: Menu) -> Problems:
    """Nodes from which no chain of options and defaults ever reaches an outcome."""
    leaving = _leading_out(menu)
    for node in menu.nodes.values():
        if node.id not in leaving and node.options:
            loop = " -> ".join([node.id, *_gotos(node)])
            yield MenuProblem(node.id, "loop-without-exit",
                              f"no option leads out to an outcome ({loop} ...)")


def _leading_out(menu: Menu) -> set[str]:
    """The nodes with a way out to an outcome: those with one, and every node that leads to
    such a node (walked backwards once, so a long chain costs no more than a wide tree)."""
    callers: dict[str, list[str]] = {}
    for node in menu.nodes.values():
        for goto in _gotos(node):
            callers.setdefault(goto, []).append(node.id)
    leaving = {n.id for n in menu.nodes.values() if any(t.outcome for t in n.targets())}
    waiting = deque(leaving)
    while waiting:
        for caller in callers.get(waiting.popleft(), ()):
            if caller not in leaving:
                leaving.add(caller)
                waiting.append(caller)
    return leaving


def _gotos(node: Node) -> list[str]:
    return [t.goto for t in node.targets() if isinstance(t, Target) and t.goto is not None]


def problem_report(problem: MenuProblem) -> dict[str, str]:
    """A problem as the menu API and editor show it: the node, where in the tree (`path`, as
    `nodes.<id>.<field>` or a top-level field), the rule and the message."""
    field, sep, reason = problem.message.partition(": ")
    named = problem.rule == "invalid-field" and sep and field and " " not in field
    where = "" if problem.node == MENU else f"nodes.{problem.node}"
    if named or problem.where:
        where = f"{where}.{problem.where or field}".lstrip(".")
    return {"node": problem.node, "path": where or "(menu)", "rule": problem.rule,
            "message": reason if named else problem.message}
