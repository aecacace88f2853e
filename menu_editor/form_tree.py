"""The editor's form over a menu tree (the parsed YAML, plain data): which fields it shows per
node, applying what was typed back onto the tree, and the order the diagram draws nodes in.

Field names say where in the tree a value goes, `|`-separated: `prompt|<node>|<language>`,
`key|<node>|<i>`, `label|<node>|<i>`, `phrases|<node>|<i>|<language>` (comma-separated),
`goto|<node>|<i>` and `outcome|<node>|<i>|<kind>` (the outcome's fields as one line of YAML),
and a node's default (where a caller goes when no option fits) `default|<node>|<goto or kind>`.
A problem's `where` inside a node (`options[0].goto`) names the field it shows beside:
`field_of` turns one into the other.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from core.errors import MenuInvalid, MenuProblem
from ivr import menu_yaml
from ivr.menu_loader import TARGET_FIELDS

OUTCOME_KINDS = tuple(kind for kind in TARGET_FIELDS if kind != "goto")


@dataclass(frozen=True)
class Row:
    """One node as the diagram draws it: how deep, reached by which option of its parent, or a
    link back to a node drawn above (`again`)."""

    node: str
    depth: int
    via: str
    again: bool = False


def nodes_of(tree: Any) -> dict[str, Any]:
    """The tree's nodes by their id as text (YAML may have read an id like 1 as a number)."""
    nodes = tree.get("nodes") if isinstance(tree, dict) else None
    return {str(k): v for k, v in nodes.items()} if isinstance(nodes, dict) else {}


def options_of(node: Any) -> list[Any]:
    options = node.get("options") if isinstance(node, dict) else None
    return options if isinstance(options, list) else []


def layout(tree: Any) -> list[Row]:
    """Every node once, depth first from the start, each option's node under it; then any node
    no option leads to (iteratively: a draft may be deeper than Python's recursion limit)."""
    nodes = nodes_of(tree)
    start = str(tree.get("start")) if isinstance(tree, dict) else ""
    rows: list[Row] = []
    seen: set[str] = set()
    work: list[Row] = [Row(start, 0, "start")] if start in nodes else []
    while work:
        row = work.pop()
        if row.node in seen:
            rows.append(Row(row.node, row.depth, row.via, again=True))
            continue
        seen.add(row.node)
        rows.append(row)
        children = [Row(str(o["goto"]), row.depth + 1, f"{o.get('key', '?')}")
                    for o in options_of(nodes[row.node])
                    if isinstance(o, dict) and str(o.get("goto")) in nodes]
        work.extend(reversed(children))
    rows.extend(Row(n, 0, "not reached") for n in nodes if n not in seen)
    return rows


def apply(tree: Any, form: Mapping[str, str]) -> tuple[Any, list[MenuProblem]]:
    """A copy of `tree` with the form's fields written in, and the fields that could not be
    read (an outcome that is not YAML), each as a problem of its node."""
    edited = copy.deepcopy(tree)
    problems: list[MenuProblem] = []
    nodes = nodes_of(edited)
    for name, value in form.items():
        kind, _, rest = name.partition("|")
        parts = rest.split("|")
        node = nodes.get(parts[0]) if parts[0] else None
        if not isinstance(node, dict):
            continue
        problem = _write(node, kind, parts[1:], value)
        if problem:
            where = f"options[{parts[1]}].{parts[-1]}"
            problems.append(MenuProblem(parts[0], "invalid-yaml", problem, where))
    return edited, problems


def _write(node: dict[str, Any], kind: str, where: list[str], value: str) -> str | None:
    if kind == "prompt" and len(where) == 1:
        prompt = node.setdefault("prompt", {})
        if isinstance(prompt, dict):
            prompt[where[0]] = value
        return None
    if kind == "default" and len(where) == 1 and isinstance(node.get("default"), dict):
        return _write_target(node["default"], where[0], value)
    option = _option(node, where)
    if option is None:
        return None
    if kind == "key" or (kind == "label" and len(where) == 1):
        option[kind] = value.strip()
    elif kind == "label" and len(where) == 2 and isinstance(option.get("label"), dict):
        option["label"][where[1]] = value.strip()
    elif kind == "phrases" and len(where) == 2:
        phrases = option.setdefault("phrases", {})
        if isinstance(phrases, dict):
            phrases[where[1]] = [p.strip() for p in value.split(",") if p.strip()]
    elif kind == "goto":
        return _write_target(option, "goto", value)
    elif kind == "outcome" and len(where) == 2:
        return _write_target(option, where[1], value)
    return None


def _write_target(holder: dict[str, Any], kind: str, value: str) -> str | None:
    """Where an option or a node's default leads: a node (`goto`) or an outcome's fields."""
    if kind == "goto":
        holder["goto"] = value.strip()
        return None
    return _write_outcome(holder, kind, value) if kind in OUTCOME_KINDS else None


def _option(node: dict[str, Any], where: list[str]) -> dict[str, Any] | None:
    options = options_of(node)
    if not where or not where[0].isdigit() or int(where[0]) >= len(options):
        return None
    option = options[int(where[0])]
    return option if isinstance(option, dict) else None


def _write_outcome(option: dict[str, Any], kind: str, value: str) -> str | None:
    try:
        option[kind] = menu_yaml.parse(value, f"the {kind} outcome")
    except MenuInvalid as invalid:
        return invalid.problems[0].message
    return None


def outcome_text(value: Any) -> str:
    """An outcome's fields as the one line of YAML the form shows."""
    return str(yaml.safe_dump(value, default_flow_style=True, allow_unicode=True,
                              sort_keys=False, width=10_000)).strip()


def field_of(node: str, where: str) -> str | None:
    """The form field a problem at `where` inside `node` is about (`options[2].goto` ->
    `goto|<node>|2`), if the form has one."""
    if where.startswith("default."):
        return f"default|{node}|{where.removeprefix('default.')}"
    head, _, name = where.partition("].")
    if not head.startswith("options[") or not name:
        return None
    index = head.removeprefix("options[")
    return f"{name}|{node}|{index}" if name in ("goto", "key") else \
        f"outcome|{node}|{index}|{name}" if name in OUTCOME_KINDS else None


NEW_LABEL = "New option"


def grow(tree: Any, action: str, languages: list[str]) -> None:
    """Add to `tree` what the editor's `action` asks for: an option to a node
    (`add-option|<node>`) or a node (`add-node`), each leading nowhere yet, so the validator
    names the field to fill in."""
    nodes = nodes_of(tree)
    kind, _, node_id = action.partition("|")
    if kind == "add-option" and isinstance(nodes.get(node_id), dict):
        node = nodes[node_id]
        options = node.setdefault("options", [])
        if isinstance(options, list):
            used = {str(o.get("key")) for o in options if isinstance(o, dict)}
            key = next((k for k in "123456789" if k not in used), "")
            options.append({"key": key, "label": NEW_LABEL, "goto": ""})
    elif kind == "add-node" and isinstance(tree, dict) and isinstance(tree.get("nodes"), dict):
        name = next(f"node_{n}" for n in range(1, len(nodes) + 2) if f"node_{n}" not in nodes)
        tree["nodes"][name] = {"prompt": dict.fromkeys(languages, ""),
                       "options": [{"key": "1", "label": NEW_LABEL, "goto": ""}]}
