"""`hotline menu validate FILE`: check a menu tree before publishing it."""

from __future__ import annotations

from pathlib import Path

import click

from core.errors import MenuInvalid
from ivr.menu import Menu, Target
from ivr.menu_loader import load_menu_file
from ivr.menu_rules import depths


@click.group()
def menu() -> None:
    """Menu trees."""


@menu.command()
@click.argument("file", type=click.Path(path_type=Path))
def validate(file: Path) -> None:
    """Print every problem in FILE (exit 1), or a summary of the tree (exit 0)."""
    try:
        tree = load_menu_file(file)
    except MenuInvalid as invalid:
        for problem in invalid.problems:
            click.echo(str(problem))
        click.echo(f"{file}: {len(invalid.problems)} problem(s); the menu was not accepted.")
        raise SystemExit(1) from None
    click.echo(summary(tree))


def summary(tree: Menu) -> str:
    """A readable outline of a valid tree: where every key leads."""
    levels = depths(tree)
    lines = [
        f"{tree.name}  (version {tree.version})",
        f"languages: {', '.join(f'{k} ({v})' for k, v in tree.languages.items())}; "
        f"{len(tree.nodes)} nodes; deepest level {max(levels.values())} "
        f"of {tree.settings.max_depth} allowed",
        f"keys at every level: {tree.settings.human_key} agent, "
        f"{tree.settings.repeat_key} repeat, {tree.settings.back_key} back",
    ]
    lines.extend(_outline(tree))
    return "\n".join(lines)


def _outline(tree: Menu) -> list[str]:
    """Each node once, its options below it and the nodes they lead to below those, depth
    first (with a stack of its own: a tree may be deeper than Python's recursion limit)."""
    lines: list[str] = []
    seen: set[str] = set()
    work: list[tuple[str, int] | str] = [(tree.start, 0)]
    while work:
        item = work.pop()
        if isinstance(item, str):
            lines.append(item)
            continue
        node_id, indent = item
        if node_id in seen:
            continue
        seen.add(node_id)
        node, pad = tree.node(node_id), "  " * indent
        lines.append(f"{pad}[{node.id}]")
        later: list[tuple[str, int] | str] = []
        for option in node.options:
            later.append(f"{pad}  {option.key} {option.label} -> {_describe(option.target)}")
            if option.target.goto is not None:
                later.append((option.target.goto, indent + 2))
        if node.default is not None:
            later.append(f"{pad}  (default) -> {_describe(node.default)}")
        work.extend(reversed(later))
    return lines


def _describe(target: Target) -> str:
    if target.goto is not None:
        return f"[{target.goto}]"
    outcome = target.outcome
    assert outcome is not None
    if outcome.kind.value in ("route", "callback", "voicemail"):
        return f"{outcome.kind.value} {outcome.issue} -> {outcome.queue} {outcome.tier}"
    if outcome.kind.value == "transfer":
        return f"transfer {outcome.number}"
    return "message, then hang up"
