"""Benchmark: loading and validating large menu trees (10,000 nodes, wide and as one long
chain; written as YAML and as JSON), next to parsing the same source alone with libyaml (the
baseline: what reading the file costs any YAML reader). Run with `./dev bench` or
`.venv/bin/python -m bench.menu_validate`."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from bench.report import machine, write_section
from ivr.menu_loader import load_menu

NODES = 10_000
RUNS = 5
TARGET_SECONDS = 2.0
ROUTE = {"issue": "general", "queue": "general", "tier": "L1", "skills": ["general"]}


def tree(nodes: int, *, chain: bool) -> dict[str, Any]:
    """A valid tree of `nodes` nodes: nine options each (wide), or one after the other."""
    body: dict[str, Any] = {}
    for n in range(nodes):
        children = [n + 1] if chain else list(range(9 * n + 1, 9 * n + 10))
        options: list[dict[str, Any]] = [
            {"key": str(k + 1), "label": f"Option {child}", "goto": f"n{child}",
             "phrases": {"en": [f"topic {child}"]}}
            for k, child in enumerate(c for c in children if c < nodes)]
        if not options:
            options = [{"key": "1", "label": "Leaf", "route": {**ROUTE, "issue": f"leaf/{n}"}}]
        body[f"n{n}"] = {"prompt": {"en": f"Question {n}. Press a key."}, "options": options}
    return {"name": "Large", "languages": {"en": "en-US"}, "start": "n0",
            "settings": {"max_depth": nodes + 1}, "human": {"route": ROUTE},
            "fallback": {"route": ROUTE}, "nodes": body}


def timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    rows = []
    for shape in ("wide", "chain"):
        data = tree(NODES, chain=shape == "chain")
        for written, source in (("YAML", yaml.safe_dump(data)), ("JSON", json.dumps(data))):
            parse = [timed(lambda s=source: yaml.load(s, Loader=yaml.CSafeLoader))
                     for _ in range(RUNS)]
            load = [timed(lambda s=source: load_menu(s)) for _ in range(RUNS)]
            rows.append((f"{shape}, {written}", len(source), statistics.median(parse),
                         statistics.median(load)))
    lines = [
        "## Menu validation: 10,000-node trees",
        "",
        f"Machine: {machine()}. Median of {RUNS} runs. Baseline: parsing the same source",
        "with libyaml alone. Hotline reads JSON with orjson. "
        "`.venv/bin/python -m bench.menu_validate`.",
        "",
        "| tree | source size | parse alone (s) | load and validate (s) | ratio | target < "
        f"{TARGET_SECONDS:.0f} s |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for shape, size, parse_s, load_s in rows:
        lines.append(f"| {NODES:,} nodes, {shape} | {size / 1e6:.1f} MB | {parse_s:.2f} | "
                     f"{load_s:.2f} | {load_s / parse_s:.2f} | "
                     f"{'met' if load_s < TARGET_SECONDS else 'missed'} |")
    body = "\n".join(lines)
    write_section(Path("docs/BENCHMARKS.md"), "menu-validate", body)
    print(body)


if __name__ == "__main__":
    main()
