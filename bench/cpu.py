"""Where the machine's CPU went during a run: the server under test, Redis, wrk, everything else.

Linux only (reads /proc). Shares are in cores: 1.0 is one core busy for the whole run.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

_TICK = os.sysconf("SC_CLK_TCK")
T = TypeVar("T")

QUIET_CORES = 0.25
"""Busy cores below which the machine counts as quiet enough to start a run."""
QUIET_WAIT = 60.0
"""Seconds to wait for a quiet machine before running anyway (the report shows the noise)."""


@dataclass(frozen=True)
class CpuUse:
    """Average busy cores during one run, by who used them."""

    server: float
    redis: float
    wrk: float
    other: float


def measured(action: Callable[[], T], server_pid: int, redis_pid: int | None) -> tuple[T, CpuUse]:
    """`action()`'s result and the CPU used meanwhile by the process tree of `server_pid`, by
    Redis, by the child processes this process reaped (wrk) and by the rest of the machine."""
    start = (time.monotonic(), _machine_busy(), _tree(server_pid), _tree(redis_pid), _children())
    result = action()
    end = (time.monotonic(), _machine_busy(), _tree(server_pid), _tree(redis_pid), _children())
    elapsed = end[0] - start[0]
    server, redis, wrk = ((b - a) / elapsed for a, b in zip(start[2:], end[2:], strict=True))
    total = (end[1] - start[1]) / elapsed
    return result, CpuUse(server, redis, wrk, max(0.0, total - server - redis - wrk))


def wait_quiet() -> float:
    """Wait (up to QUIET_WAIT s) until other processes use under QUIET_CORES; the last reading."""
    deadline = time.monotonic() + QUIET_WAIT
    while True:
        busy = busy_cores(0.5)
        if busy < QUIET_CORES or time.monotonic() > deadline:
            return busy
        time.sleep(1.0)


def busy_cores(seconds: float) -> float:
    before = _machine_busy()
    time.sleep(seconds)
    return (_machine_busy() - before) / seconds


def _machine_busy() -> float:
    """CPU seconds all cores spent busy since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = values[3], values[4]
    return (sum(values[:8]) - idle - iowait) / _TICK


def _children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree(root: int | None) -> float:
    """CPU seconds used so far by `root` and its live descendants."""
    if root is None:
        return 0.0
    stats = _all_stats()
    parents: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        parents.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, (0, 0.0))[1]
        todo += parents.get(pid, [])
    return total


def _all_stats() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds) for every process."""
    found: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name (field 2) may hold spaces: split after its closing parenthesis.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK)
    return found
