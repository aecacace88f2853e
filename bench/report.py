"""Writing benchmark results into docs/BENCHMARKS.md, between markers, leaving the rest."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.cpu import CpuUse
from bench.load import Load
from core.embedded_redis import redis_server_binary

REPORT = Path("docs/BENCHMARKS.md")
TARGET_RATIO = 0.6
"""A webhook's throughput over the baseline's (Hotline's own app answering fixed TwiML), at
least: the IVR issue's target."""
TARGET_P99_MS = 20.0
"""p99 latency at half of the maximum load, at most (the IVR issue's target)."""


@dataclass(frozen=True)
class Measurement:
    load: Load
    cpu: CpuUse


@dataclass(frozen=True)
class Result:
    """One scenario's runs at maximum load and at half of it (none for context rows)."""

    name: str
    maximum: list[Measurement]
    half: list[Measurement]
    judged: bool = False
    """Whether the issue's targets apply to this scenario."""


def machine() -> str:
    """Date, CPU model, cores this process may use (as nproc counts), Python and Redis."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    redis_version = subprocess.run([redis_server_binary(), "--version"],
                                   capture_output=True, text=True).stdout.split()[2]
    return (f"{datetime.now(UTC):%Y-%m-%d}; {cpu}; {len(os.sched_getaffinity(0))} cores; "
            f"Python {platform.python_version()}; Redis {redis_version.removeprefix('v=')}")


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


def render(results: list[Result], header: list[str]) -> str:
    """The section: `header` lines, the results table, the targets, and where the CPU went.
    The first result is the baseline (Hotline's fixed-TwiML route), the second the reference
    (a minimal Flask app answering the same string). Ratios are the median of each round's."""
    baseline, reference = results[:2]
    return "\n".join([
        "## Voice webhooks under load", "", *header, "",
        "| scenario | requests/s at max load (range) | p50 ms | p99 ms | ratio to baseline "
        "(range) | ratio to minimal Flask | requests/s at half load | p50 ms | "
        "p99 ms (worst run) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(_row(r, baseline, reference) for r in results), "",
        *(_verdict(r, baseline) for r in results if r.judged), "",
        "CPU during the max-load runs, in cores (of "
        f"{os.cpu_count()}), median of the runs:", "",
        "| scenario | server under test | Redis | wrk | rest of the machine | "
        "server CPU per request (µs) |",
        "|---|---:|---:|---:|---:|---:|",
        *(_cpu_row(r) for r in results),
    ])


def median_load(runs: list[Measurement]) -> Load:
    loads = [m.load for m in runs]
    return Load(
        requests=int(statistics.median(x.requests for x in loads)),
        rps=statistics.median(x.rps for x in loads),
        p50_ms=statistics.median(x.p50_ms for x in loads),
        p99_ms=statistics.median(x.p99_ms for x in loads),
        failures=sum(x.failures for x in loads),
    )


def paired_ratios(result: Result, base: Result) -> list[float]:
    """`result`'s rate over `base`'s in each round: the runs of a round follow each other, so
    the machine's speed, which drifts over minutes on a shared host, is nearly the same for
    both."""
    return [run.load.rps / against.load.rps
            for run, against in zip(result.maximum, base.maximum, strict=True)]


def _row(result: Result, baseline: Result, reference: Result) -> str:
    top = median_load(result.maximum)
    low, high = min(m.load.rps for m in result.maximum), max(m.load.rps for m in result.maximum)
    half = "– | – | –"
    if result.half:
        at_half = median_load(result.half)
        worst = max(m.load.p99_ms for m in result.half)
        half = f"{at_half.rps:,.0f} | {at_half.p50_ms:.2f} | {at_half.p99_ms:.2f} ({worst:.1f})"
    ratios = paired_ratios(result, baseline)
    return (f"| {result.name} | {top.rps:,.0f} ({low:,.0f}–{high:,.0f}) | {top.p50_ms:.2f} | "
            f"{top.p99_ms:.2f} | {statistics.median(ratios):.2f} ({min(ratios):.2f}–"
            f"{max(ratios):.2f}) | {statistics.median(paired_ratios(result, reference)):.2f} | "
            f"{half} |")


def _verdict(result: Result, baseline: Result) -> str:
    ratio = statistics.median(paired_ratios(result, baseline))
    p99 = median_load(result.half).p99_ms
    return (f"- {result.name}: throughput {ratio:.2f} of the baseline's (Hotline's fixed-TwiML "
            f"route; target ≥ {TARGET_RATIO}): **{_met(ratio >= TARGET_RATIO)}**; p99 at half load "
            f"{p99:.1f} ms (target < {TARGET_P99_MS:.0f} ms): **{_met(p99 < TARGET_P99_MS)}**.")


def _met(ok: bool) -> str:
    return "met" if ok else "missed"


def _cpu_row(result: Result) -> str:
    uses = [m.cpu for m in result.maximum]
    columns = [statistics.median(getattr(u, name) for u in uses)
               for name in ("server", "redis", "wrk", "other")]
    per_request = statistics.median(m.cpu.server / m.load.rps * 1e6 for m in result.maximum)
    return (f"| {result.name} | " + " | ".join(f"{c:.2f}" for c in columns)
            + f" | {per_request:,.0f} |")
