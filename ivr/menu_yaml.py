"""An admin's menu YAML read safely: fast, bounded, and with errors that name the file.

Menus come from people (and, through the menu API, from the network), so the parse must not
be a way to stall a process: YAML aliases let 600 bytes stand for billions of nodes (an
"alias bomb") that every later walk over the data would visit. The document is composed
first, its size with every alias expanded is counted on the node graph (where an alias is
one shared node, so the count costs one visit per distinct node), and only then built.
A source that is JSON (a subset of YAML, and what the menu API may send) is read by orjson,
which is much faster on a large tree and has no aliases.
"""

from __future__ import annotations

from typing import Any

import orjson
import yaml

from core.errors import MenuInvalid, MenuProblem
from ivr.menu import MENU

MAX_EXPANDED_NODES = 1_000_000
"""YAML nodes a menu may hold once its aliases are expanded. A 10,000-node tree written out
has about 450,000; an alias bomb has billions."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML was built with it (its wheels are): much faster."""


def parse(source: str, name: str) -> Any:
    """The data in YAML `source`; MenuInvalid naming `name` when it is not YAML, holds more
    than one document, nests too deeply or expands past MAX_EXPANDED_NODES."""
    if source.lstrip().startswith("{"):
        try:
            return orjson.loads(source)
        except orjson.JSONDecodeError:
            pass  # YAML's flow style starts the same way: let the YAML parser say what's wrong
    loader = _Loader(source)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        expanded = _expanded_size(root)
        if expanded > MAX_EXPANDED_NODES:
            raise _refused(f"{name}: its aliases expand to more than {MAX_EXPANDED_NODES:,} "
                           "values; write the repeated parts out or share fewer of them")
        return loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise _refused(str(exc).replace("<unicode string>", name)) from None
    except RecursionError:
        raise _refused(f"{name}: nested too deeply to be a menu") from None
    finally:
        loader.dispose()


def dump(data: Any) -> str:
    """`data` as block-style YAML, fields in their order: how the editor writes a tree back."""
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))


def canonical(source: str) -> str:
    """`source` written the one way `dump` writes it (comments and layout dropped), so that two
    versions compare by what they say; `source` itself when it is not readable."""
    try:
        return dump(parse(source, "the menu"))
    except MenuInvalid:
        return source


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has with every alias written out (iteratively: a document
    may nest deeper than Python's recursion limit); a value that contains itself has no end."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    work: list[tuple[yaml.Node, bool]] = [(root, False)]
    while work:
        node, children_done = work.pop()
        children = _children(node)
        if children_done or not children:
            open_.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_:
            return MAX_EXPANDED_NODES + 1  # an alias to a value it sits inside
        open_.add(id(node))
        work.append((node, True))
        work.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _refused(message: str) -> MenuInvalid:
    return MenuInvalid([MenuProblem(MENU, "invalid-yaml", message)])
