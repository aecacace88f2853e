"""Who may know what: each Redis key is named by one package (the record's owner; the others
ask it through a function), and packages import only downward (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["core", "ivr", "queues", "callbacks", "recordings", "tickets_bridge", "simulator",
            "agent_desk", "standing", "messaging", "hotline"]
FEATURES = {"ivr", "queues", "callbacks", "recordings", "tickets_bridge", "simulator"}
ALLOWED = {("callbacks", "queues"), ("agent_desk", "queues"), ("agent_desk", "tickets_bridge"),
           ("standing", "queues"), ("standing", "callbacks"), ("messaging", "callbacks"),
           ("messaging", "standing"),
           ("agent_desk", "recordings")}
"""Imports between packages above core, besides the composition root's."""
CHANNELS = {"call_event_stream"}
"""Keys that are a published channel rather than a record: core writes, consumers read."""


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_every_redis_key_is_named_by_one_package() -> None:
    named: dict[str, set[str]] = defaultdict(set)
    for package in PACKAGES:
        for path in _sources(package):
            if path == ROOT / "core" / "keys.py":
                continue
            for key in re.findall(r"\bkeys\.([a-z_]+)\(", path.read_text(encoding="utf-8")):
                named[key].add(package)
    shared = {key: sorted(where) for key, where in named.items()
              if len(where) > 1 and key not in CHANNELS}
    assert named["caller_open_tickets"] and shared == {}


def test_packages_import_only_downward() -> None:
    wrong = []
    for package in PACKAGES:
        for path in _sources(package):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                for name in names:
                    target = name.split(".")[0]
                    if target in PACKAGES and target not in (package, "core") \
                            and package != "hotline" and (package, target) not in ALLOWED:
                        wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []
