"""A menu tree is refused with problems that name the node and the rule it breaks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from core.errors import MenuInvalid
from ivr.menu_loader import example_menu_path, load_menu, load_menu_file

SPANISH_MESSAGES = {name: {"es": texts["es"]} for name, texts in
                    yaml.safe_load(example_menu_path().read_text())["messages"].items()}
"""Every message Hotline says, in Spanish (English ships with Hotline)."""

BASE: dict[str, Any] = {
    "name": "Rules test",
    "languages": {"en": "en-US", "es": "es-US"},
    "default_language": "en",
    "start": "main",
    "human": {"route": {"issue": "general", "queue": "general"}},
    "fallback": {"route": {"issue": "general", "queue": "general"}},
    "messages": SPANISH_MESSAGES,
    "nodes": {
        "main": {
            "prompt": {"en": "Press 1 for billing.", "es": "Oprima 1 para facturación."},
            "options": [
                {"key": "1", "label": "Billing", "goto": "billing",
                 "phrases": {"en": ["billing"], "es": ["factura"]}},
                {"key": "2", "label": "Tech", "route": {"issue": "tech", "queue": "tech"}},
            ],
        },
        "billing": {
            "prompt": {"en": "Press 1 for a refund.", "es": "Oprima 1 para un reembolso."},
            "options": [
                {"key": "1", "label": "Refund",
                 "route": {"issue": "billing/refund", "queue": "billing", "tier": "L2"}},
            ],
        },
    },
}


def problems_after(change: Callable[[dict[str, Any]], None]) -> set[tuple[str, str]]:
    tree = copy.deepcopy(BASE)
    change(tree)
    with pytest.raises(MenuInvalid) as refused:
        load_menu(yaml.safe_dump(tree, allow_unicode=True))
    return {(p.node, p.rule) for p in refused.value.problems}


def test_the_base_tree_and_the_shipped_example_are_valid() -> None:
    assert load_menu(yaml.safe_dump(BASE)).start == "main"
    example = load_menu_file(example_menu_path())
    assert {"language", "main", "billing", "technical", "account", "outage"} <= set(example.nodes)


def test_unknown_target() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["main"]["options"][0]["goto"] = "payments"
    assert ("main", "unknown-target") in problems_after(change)


def test_unknown_start() -> None:
    assert ("(menu)", "unknown-target") in problems_after(lambda t: t.update(start="welcome"))


def test_unreachable_node() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["orphan"] = copy.deepcopy(t["nodes"]["billing"])
    assert problems_after(change) == {("orphan", "unreachable-node")}


def test_option_without_outcome() -> None:
    def change(t: dict[str, Any]) -> None:
        del t["nodes"]["billing"]["options"][0]["route"]
    assert ("billing", "option-without-outcome") in problems_after(change)


def test_duplicate_key() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["main"]["options"][1]["key"] = "1"
    assert problems_after(change) == {("main", "duplicate-key")}


def test_reserved_key() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["main"]["options"][1]["key"] = "0"
    assert problems_after(change) == {("main", "reserved-key")}


def test_duplicate_phrase() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["main"]["options"][1]["phrases"] = {"en": ["Billing"], "es": ["técnico"]}
    assert problems_after(change) == {("main", "duplicate-phrase")}


def test_missing_translation_of_a_prompt() -> None:
    def change(t: dict[str, Any]) -> None:
        del t["nodes"]["billing"]["prompt"]["es"]
    assert problems_after(change) == {("billing", "missing-translation")}


def test_missing_translation_of_phrases() -> None:
    def change(t: dict[str, Any]) -> None:
        del t["nodes"]["main"]["options"][0]["phrases"]["es"]
    assert problems_after(change) == {("main", "missing-translation")}


def test_too_deep_with_a_configurable_limit() -> None:
    def change(t: dict[str, Any]) -> None:
        t["settings"] = {"max_depth": 1}
    assert problems_after(change) == {("billing", "too-deep")}


def test_loop_with_no_way_out() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["billing"]["options"][0] = {"key": "1", "label": "Back", "goto": "main"}
        t["nodes"]["main"]["options"][1] = {"key": "2", "label": "Billing", "goto": "billing"}
    found = problems_after(change)
    assert ("main", "loop-without-exit") in found and ("billing", "loop-without-exit") in found


def test_node_without_options() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["billing"]["options"] = []
    assert ("billing", "node-without-options") in problems_after(change)


def test_invalid_tier_and_unknown_priority() -> None:
    def change(t: dict[str, Any]) -> None:
        route = t["nodes"]["billing"]["options"][0]["route"]
        route["tier"] = "L7"
        route["priority"] = "critical"
    assert problems_after(change) == {("billing", "invalid-tier"), ("billing", "unknown-priority")}


def test_unknown_language_and_fact() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["main"]["options"][0]["language"] = "fr"
        t["priority"] = {"rules": [{"when": "birthday", "raise": 1}]}
    assert problems_after(change) == {("main", "unknown-language"), ("(menu)", "unknown-fact")}


def test_transfer_to_an_invalid_number() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["main"]["options"][1] = {"key": "2", "label": "Partner",
                                            "transfer": {"number": "12"}}
    assert problems_after(change) == {("main", "invalid-number")}


def test_field_problems_name_node_and_field() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["main"]["options"][0]["key"] = "A"
        t["nodes"]["billing"]["colour"] = "blue"
    tree = copy.deepcopy(BASE)
    change(tree)
    with pytest.raises(MenuInvalid) as refused:
        load_menu(yaml.safe_dump(tree))
    messages = {str(p) for p in refused.value.problems}
    assert "node 'main': invalid-field: options[0].key: must be one of 0-9, * or #" in messages
    assert "node 'billing': invalid-field: colour: unknown field" in messages


def test_an_option_with_two_outcomes_is_refused() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["main"]["options"][0]["route"] = {"issue": "x", "queue": "x"}
    assert ("main", "invalid-field") in problems_after(change)


def test_every_problem_is_reported_at_once() -> None:
    def change(t: dict[str, Any]) -> None:
        t["nodes"]["main"]["options"][1]["key"] = "1"
        del t["nodes"]["billing"]["prompt"]["es"]
        t["nodes"]["orphan"] = copy.deepcopy(t["nodes"]["billing"])
    found = problems_after(change)
    assert {("main", "duplicate-key"), ("billing", "missing-translation"),
            ("orphan", "unreachable-node")} <= found


def test_yaml_that_is_not_a_menu_is_refused_clearly() -> None:
    for source in ("just text", "- a\n- list", "nodes: [unclosed"):
        with pytest.raises(MenuInvalid) as refused:
            load_menu(source)
        assert refused.value.problems[0].node == "(menu)"


HOURS = {"timezone": "America/New_York", "open": "08:00-20:00", "days": "mon-fri",
         "holidays": "US"}
AFTER_HOURS = {"callback": {"message": {"en": "We are closed; we can call you back.",
                                        "es": "Estamos cerrados; le llamamos."}}}


def test_opening_hours_need_an_after_hours_route_that_is_not_a_queue() -> None:
    assert problems_after(lambda t: t.update(hours=HOURS)) == {("(menu)", "missing-after-hours")}
    to_queue = {"route": {"issue": "general", "queue": "general"}}
    assert problems_after(lambda t: t.update(hours=HOURS, after_hours=to_queue)) == {
        ("(menu)", "after-hours-to-queue")}
    untranslated = {"message": {"en": "Closed."}}
    assert ("(menu)", "missing-translation") in problems_after(
        lambda t: t.update(hours=HOURS, after_hours=untranslated))
    tree = copy.deepcopy(BASE)
    tree.update(hours=HOURS, after_hours=AFTER_HOURS)
    menu = load_menu(yaml.safe_dump(tree, allow_unicode=True))
    assert menu.hours is not None and menu.hours.days == (0, 1, 2, 3, 4)


@pytest.mark.parametrize("hours", [
    {**HOURS, "timezone": "Mars/Olympus"}, {**HOURS, "open": "20:00-08:00"},
    {**HOURS, "open": "8 to 5"}, {**HOURS, "days": "weekdays"}, {**HOURS, "holidays": "XX"},
    {**HOURS, "lunch": "12:00-13:00"},
])
def test_opening_hours_that_cannot_be_read_are_refused_naming_the_field(
    hours: dict[str, str]
) -> None:
    found = problems_after(lambda t: t.update(hours=hours, after_hours=AFTER_HOURS))
    assert ("(menu)", "invalid-field") in found


@pytest.mark.parametrize(("section", "field", "why"), [
    ({"timezone": "Mars/Olympus"}, "callbacks.timezone", "is not an IANA time zone"),
    ({"hours": "25:00-26:00"}, "callbacks.hours", "25:00 is not a time of day"),
    ({"dial_hours": "09:00-08:00"}, "callbacks.dial_hours", "the end must come after the start"),
    ({"days": "weekdays"}, "callbacks.days", "days are mon to sun"),
    ({"holidays": "XX"}, "callbacks.holidays", "no public holiday calendar"),
    ({"holidays": False}, "callbacks.holidays", "must be text"),  # YAML's reading of NO
    ({"slots": 0}, "callbacks.slots", "not a whole number, 1 or more"),
    ({"lunch": "12:00-13:00"}, "callbacks.lunch", "unknown field"),
    ({"hours": "08:00-12:00", "timezone": "Mars/Olympus"}, "callbacks.timezone", "IANA"),
    ("08:00-12:00", "callbacks", "must be a mapping"),
])
def test_a_callbacks_section_is_read_as_at_run_time_and_refused_naming_the_field(
    section: Any, field: str, why: str
) -> None:
    tree = copy.deepcopy(BASE)
    tree["callbacks"] = section
    with pytest.raises(MenuInvalid) as refused:
        load_menu(yaml.safe_dump(tree, allow_unicode=True))
    [problem] = refused.value.problems
    assert (problem.node, problem.rule) == ("(menu)", "invalid-field")
    assert problem.message.startswith(f"{field}: ") and why in problem.message


@pytest.mark.parametrize(("hours", "field"), [
    ({**HOURS, "open": "25:00-26:00"}, "hours.open"), ({**HOURS, "open": "09:00-08:00"},
                                                      "hours.open"),
    ({**HOURS, "days": "weekdays"}, "hours.days"), ({**HOURS, "holidays": "XX"}, "hours.holidays"),
    ({**HOURS, "timezone": "Mars/Olympus"}, "hours.timezone"),
])
def test_opening_hours_problems_name_their_field(hours: dict[str, str], field: str) -> None:
    tree = copy.deepcopy(BASE)
    tree.update(hours=hours, after_hours=AFTER_HOURS)
    with pytest.raises(MenuInvalid) as refused:
        load_menu(yaml.safe_dump(tree, allow_unicode=True))
    assert [p.message.split(": ")[0] for p in refused.value.problems] == [field]


def test_a_callbacks_section_read_as_the_runtime_reads_it_is_valid() -> None:
    tree = copy.deepcopy(BASE)
    tree.update(callbacks={"timezone": "Europe/Berlin", "hours": "08:00-24:00", "days": "sat-mon",
                           "dial_hours": "08:00-20:00", "holidays": "de-by", "slots": 2},
                hours={**HOURS, "open": "00:00-24:00", "days": "fri-mon"},
                after_hours=AFTER_HOURS)
    menu = load_menu(yaml.safe_dump(tree, allow_unicode=True))
    assert menu.hours is not None and menu.hours.days == (0, 4, 5, 6)


def test_a_tree_in_english_alone_needs_no_messages_and_says_the_shipped_english() -> None:
    tree = copy.deepcopy(BASE)
    tree["languages"] = {"en": "en-US"}
    tree["messages"] = {"goodbye": {"en": "Bye now."}}
    menu = load_menu(yaml.safe_dump(_only_english(tree)))
    assert menu.messages.of("goodbye") == {"en": "Bye now."}
    assert menu.messages.of("hold_position") == {"en": "You are number {position} in line."}


def _only_english(tree: dict[str, Any]) -> dict[str, Any]:
    for node in tree["nodes"].values():
        node["prompt"] = {"en": node["prompt"]["en"]}
        for option in node["options"]:
            option.get("phrases", {}).pop("es", None)
    return tree


def test_every_message_needs_every_language_with_the_same_blanks() -> None:
    def missing(t: dict[str, Any]) -> None:
        del t["messages"]["hold_position"]
    def blank_lost(t: dict[str, Any]) -> None:
        t["messages"]["hold_position"] = {"es": "Usted está en la fila."}
    tree = copy.deepcopy(BASE)
    missing(tree)
    with pytest.raises(MenuInvalid) as refused:
        load_menu(yaml.safe_dump(tree, allow_unicode=True))
    assert [str(p) for p in refused.value.problems] == [
        "node '(menu)': missing-translation: messages.hold_position: no text for language es"]
    assert problems_after(blank_lost) == {("(menu)", "invalid-field")}
    assert problems_after(lambda t: t["messages"].update(hold_music={"es": "x"})) == {
        ("(menu)", "invalid-field")}


def test_a_language_hotline_cannot_say_times_in_is_refused() -> None:
    def french(t: dict[str, Any]) -> None:
        t["languages"]["fr"] = "fr-FR"
    assert ("(menu)", "unknown-language") in problems_after(french)


def test_a_label_may_be_given_per_language_and_then_needs_every_language() -> None:
    def per_language(t: dict[str, Any]) -> None:
        t["nodes"]["main"]["options"][1]["label"] = {"en": "Tech"}
    assert problems_after(per_language) == {("main", "missing-translation")}
    tree = copy.deepcopy(BASE)
    tree["nodes"]["main"]["options"][1]["label"] = {"en": "Tech", "es": "Técnico"}
    menu = load_menu(yaml.safe_dump(tree, allow_unicode=True))
    tech = menu.node("main").options[1]
    assert (tech.label, tech.label_in("es")) == ("Tech", "Técnico")
    assert menu.node("main").options[0].label_in("es") == "Billing"  # a plain label serves all
