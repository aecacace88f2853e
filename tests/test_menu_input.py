"""Menu YAML from a person or the network cannot stall the validator: alias bombs, values that
contain themselves and deep nesting are refused with a clear problem, and long or deep valid
trees are checked in one pass (issue #13, point 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from click.testing import CliRunner

from core.errors import MenuInvalid
from hotline.cli import main
from ivr.menu_loader import load_menu, load_menu_file
from ivr.menu_yaml import MAX_EXPANDED_NODES, parse

ROUTE = {"issue": "general", "queue": "general", "tier": "L1", "skills": ["general"]}


def alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def chain(length: int, *, last_leads_out: bool = True) -> dict[str, Any]:
    """A tree whose nodes form one long chain of single options (listed root first)."""
    nodes: dict[str, Any] = {}
    for n in range(length):
        target: dict[str, Any] = {"goto": f"n{n + 1}"}
        if n == length - 1:
            target = {"route": ROUTE} if last_leads_out else {"goto": "n0"}
        nodes[f"n{n}"] = {"prompt": {"en": f"Step {n}. Press 1."},
                          "options": [{"key": "1", "label": f"Next {n}", **target}]}
    return {"name": "Chain", "languages": {"en": "en-US"}, "start": "n0",
            "settings": {"max_depth": length + 1}, "human": {"route": ROUTE},
            "fallback": {"route": ROUTE}, "nodes": nodes}


def test_an_alias_bomb_is_refused_before_it_is_expanded() -> None:
    bomb = alias_bomb()
    assert len(bomb) < 700  # 9**9 (387 million) values in under 700 bytes
    with pytest.raises(MenuInvalid) as refused:
        load_menu(bomb, "bomb.yaml")
    [problem] = refused.value.problems
    assert problem.rule == "invalid-yaml"
    assert problem.message.startswith("bomb.yaml: its aliases expand to more than")


def test_a_few_shared_parts_are_still_fine() -> None:
    assert parse(alias_bomb(levels=3), "small.yaml")["a2"][0][0] == ["lol"] * 9
    assert MAX_EXPANDED_NODES > 9**3


def test_a_value_that_contains_itself_is_refused() -> None:
    with pytest.raises(MenuInvalid, match="expand to more than"):
        load_menu("loop: &a [1, *a]\n", "loop.yaml")


def test_yaml_nested_thousands_deep_is_refused_not_crashed() -> None:
    deep = "x: " + "[" * 20_000 + "]" * 20_000 + "\n"
    with pytest.raises(MenuInvalid) as refused:
        load_menu(deep, "deep.yaml")
    assert refused.value.problems[0].rule == "invalid-yaml"


def test_yaml_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("nodes: [unclosed\n")
    with pytest.raises(MenuInvalid) as refused:
        load_menu_file(path)
    assert str(path) in refused.value.problems[0].message
    assert "<unicode string>" not in refused.value.problems[0].message


def test_a_long_chain_is_checked_for_a_way_out_in_one_pass() -> None:
    # Listed root first, the old fixed-point check learned one node per pass over all of them.
    menu = load_menu(yaml.safe_dump(chain(3_000)))
    assert len(menu.nodes) == 3_000
    with pytest.raises(MenuInvalid) as refused:
        load_menu(yaml.safe_dump(chain(3_000, last_leads_out=False)))
    assert {p.rule for p in refused.value.problems} == {"loop-without-exit"}
    assert len(refused.value.problems) == 3_000


def test_menu_validate_outlines_a_tree_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(yaml.safe_dump(chain(3_000)))
    result = CliRunner().invoke(main, ["menu", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "3000 nodes; deepest level 3000" in result.output
    assert result.output.count("-> [n") == 2_999


def test_a_menu_written_as_json_reads_like_its_yaml() -> None:
    tree = chain(5)
    assert load_menu(orjson.dumps(tree).decode()).nodes == load_menu(yaml.safe_dump(tree)).nodes
    flow = yaml.safe_dump(tree, default_flow_style=True)
    assert flow.startswith("{") and load_menu(flow).nodes == load_menu(yaml.safe_dump(tree)).nodes
