"""The editor's form over a tree: the diagram's order (loops and unreached nodes included) and
what typed fields do to the tree."""

from __future__ import annotations

from typing import Any

from menu_editor.form_tree import Row, apply, field_of, layout


def _tree() -> dict[str, Any]:
    return {"start": "main", "nodes": {
        "main": {"prompt": {"en": "Pick."}, "default": {"route": {"issue": "general"}},
                 "options": [
            {"key": "1", "label": "Billing", "goto": "billing"},
            {"key": "2", "label": "Human", "route": {"issue": "general", "queue": "general"}}]},
        "billing": {"options": [{"key": "1", "label": "Back", "goto": "main"}]},
        "orphan": {"options": []}}}


def test_the_diagram_draws_each_node_once_links_back_and_lists_the_unreached() -> None:
    assert layout(_tree()) == [Row("main", 0, "start"), Row("billing", 1, "1"),
                               Row("main", 2, "1", again=True), Row("orphan", 0, "not reached")]
    assert layout({"start": "nowhere", "nodes": "not a mapping"}) == []
    assert layout({"start": "1", "nodes": {1: {"options": "x"}}}) == [Row("1", 0, "start")]


def test_typed_fields_change_the_tree_and_unreadable_outcomes_are_named() -> None:
    tree = _tree()
    edited, problems = apply(tree, {
        "prompt|main|es": "Elija.", "goto|main|0": " billing ", "key|main|1": "0",
        "phrases|main|0|en": "bill, invoice ,", "outcome|main|1|route": "{issue: [",
        "goto|nowhere|0": "x", "goto|main|9": "x", "default|billing|goto": "x",
        "default|main|route": "{issue: general, queue: general, tier: L2}"})
    main = edited["nodes"]["main"]
    assert main["default"] == {"route": {"issue": "general", "queue": "general", "tier": "L2"}}
    assert "default" not in edited["nodes"]["billing"]  # a default only where there is one
    assert main["prompt"] == {"en": "Pick.", "es": "Elija."}
    assert main["options"][0]["goto"] == "billing"
    assert main["options"][0]["phrases"] == {"en": ["bill", "invoice"]}
    assert main["options"][1]["key"] == "0"
    assert [(p.node, p.rule, p.where) for p in problems] == [
        ("main", "invalid-yaml", "options[1].route")]
    assert tree["nodes"]["main"]["options"][1]["key"] == "2"  # the original is left alone
    assert field_of("main", "options[1].route") == "outcome|main|1|route"
    assert field_of("main", "options[0].goto") == "goto|main|0"
    assert field_of("main", "default.goto") == "default|main|goto"
    assert field_of("main", "(menu)") is None
