"""Writing benchmark results into docs/BENCHMARKS.md, between markers, leaving the rest."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from bench.load import Load


@dataclass(frozen=True)
class Row:
    name: str
    maximum: list[Load]
    half: list[Load]


def write_report(path: Path, rows: list[Row], machine: str, settings: str) -> None:
    write_section(path, "webhooks", render(rows, machine, settings))


def write_section(path: Path, name: str, body: str) -> None:
    """Replace the text between this benchmark's markers, or append it, leaving the rest."""
    begin, end = f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"
    section = "\n".join([begin, body, end])
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def render(rows: list[Row], machine: str, settings: str) -> str:
    baseline = statistics.median(load.rps for load in rows[0].maximum)
    lines = [
        "## Voice webhooks under load",
        "",
        f"Machine: {machine}.  ",
        f"Setup: {settings}.",
        "",
        "| scenario | requests/s (max) | p50 ms | p99 ms | ratio to baseline | "
        "requests/s (half load) | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        top = _median(row.maximum)
        half = (f"{_median(row.half).rps:,.0f} | {_median(row.half).p50_ms:.2f} | "
                f"{_median(row.half).p99_ms:.2f}") if row.half else "– | – | –"
        lines.append(
            f"| {row.name} | {top.rps:,.0f} | {top.p50_ms:.2f} | {top.p99_ms:.2f} | "
            f"{top.rps / baseline:.2f} | {half} |"
        )
    return "\n".join(lines)


def _median(loads: list[Load]) -> Load:
    return Load(
        requests=int(statistics.median(x.requests for x in loads)),
        rps=statistics.median(x.rps for x in loads),
        p50_ms=statistics.median(x.p50_ms for x in loads),
        p99_ms=statistics.median(x.p99_ms for x in loads),
        failures=sum(x.failures for x in loads),
    )
