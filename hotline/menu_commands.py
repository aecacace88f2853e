"""`hotline menu`: check a menu tree, publish it, list and compare versions, roll back; over
the same Redis store as the menu API and editor."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from core.clock import SystemClock
from core.errors import Conflict, MenuInvalid, NotFound
from ivr.menu import Menu, Target
from ivr.menu_loader import load_menu_file
from ivr.menu_rules import depths
from ivr.menu_store import MenuStore
from ivr.menu_versions import MenuVersions


@click.group()
def menu() -> None:
    """Menu trees."""


@menu.command()
@click.argument("file", type=click.Path(path_type=Path))
def validate(file: Path) -> None:
    """Print every problem in FILE (exit 1), or a summary of the tree (exit 0)."""
    click.echo(summary(checked_menu(file)))


def checked_menu(file: Path, variable: str | None = None) -> Menu:
    """The tree in FILE, or every problem in it printed and exit 1; `variable` names the
    setting FILE came from, for a server that will not start with it."""
    try:
        return load_menu_file(file)
    except MenuInvalid as invalid:
        for problem in invalid.problems:
            click.echo(str(problem), err=variable is not None)
        if variable is None:
            click.echo(f"{file}: {len(invalid.problems)} problem(s); the menu was not accepted.")
        else:
            click.echo(f"{variable}={file}: {len(invalid.problems)} problem(s); Hotline did "
                       f"not start (check the file with `hotline menu validate {file}`).",
                       err=True)
        raise SystemExit(1) from None


def _versions() -> MenuVersions:
    from hotline.admin_commands import admin_redis

    client = admin_redis()
    return MenuVersions(client, SystemClock(), MenuStore(client))


_BY = click.option("--by", default=getpass.getuser, show_default="your login name",
                   help="who is making the change, for the audit log")


@menu.command()
@click.argument("file", type=click.Path(path_type=Path))
@_BY
def publish(file: Path, by: str) -> None:
    """Publish FILE: new calls get it at once; calls under way keep their version."""
    checked_menu(file)
    published = _versions().publish_source(file.read_text(encoding="utf-8"), by)
    click.echo(f"published {published.name} as version {published.version}")


@menu.command()
def versions() -> None:
    """Every published version, newest first, and the audit log."""
    store = _versions()
    for found in store.published():
        mark = "*" if found.active else " "
        click.echo(f"{mark} {found.version}  published {found.published_at}")
    click.echo("history (newest first):")
    for entry in store.history():
        what = entry.get("version") or f"revision {entry.get('revision')}"
        click.echo(f"  {entry['at']}  {entry['by']}: {entry['action']} {what}")


@menu.command()
@click.argument("old", default="active")
@click.argument("new", default="draft")
def diff(old: str, new: str) -> None:
    """The changes from version OLD to NEW (each a version, `active` or `draft`)."""
    try:
        lines = _versions().diff(old, new)
    except NotFound as missing:
        raise click.ClickException(str(missing)) from None
    click.echo("\n".join(lines) if lines else f"{old} and {new} are the same")


@menu.command()
@click.argument("version")
@_BY
def rollback(version: str, by: str) -> None:
    """Make the earlier published VERSION the one new calls get."""
    try:
        tree = _versions().rollback(version, by)
    except (NotFound, Conflict) as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"rolled back to {tree.name} version {tree.version}")


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
        # The skills too: an agent takes the call only with every one of them.
        skills = f" needing {', '.join(outcome.skills)}" if outcome.skills else ""
        return f"{outcome.kind.value} {outcome.issue} -> {outcome.queue} {outcome.tier}{skills}"
    if outcome.kind.value == "transfer":
        return f"transfer {outcome.number}"
    return "message, then hang up"
