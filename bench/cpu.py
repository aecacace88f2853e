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
QUIET_WAIT = 30.0
"""Seconds to wait for a quiet machine before running anyway (the report shows the noise)."""


@dataclass(frozen=True)
class CpuUse:
    """Average busy cores during one run, by who used them."""

    server: float
    redis: float
    wrk: float
    other: float
    balance: float = 1.0
    """CPU of the server's least busy worker process over its busiest's (1.0: even)."""


@dataclass(frozen=True)
class _Reading:
    at: float
    machine: float
    server: float
    workers: dict[int, float]
    redis: float
    children: float


def measured(action: Callable[[], T], server_pid: int, redis_pid: int | None) -> tuple[T, CpuUse]:
    """`action()`'s result and the CPU used meanwhile by the process tree of `server_pid`, by
    Redis, by the child processes this process reaped (wrk) and by the rest of the machine."""
    start = _read(server_pid, redis_pid)
    result = action()
    end = _read(server_pid, redis_pid)
    elapsed = end.at - start.at
    server, redis, wrk, total = ((b - a) / elapsed for a, b in (
        (start.server, end.server), (start.redis, end.redis), (start.children, end.children),
        (start.machine, end.machine)))
    return result, CpuUse(server, redis, wrk, max(0.0, total - server - redis - wrk),
                          _balance(start.workers, end.workers))


def _balance(start: dict[int, float], end: dict[int, float]) -> float:
    used = [end[pid] - start[pid] for pid in end if pid in start]
    return min(used) / max(used) if len(used) > 1 and max(used) > 0 else 1.0


def _read(server_pid: int, redis_pid: int | None) -> _Reading:
    stats = _all_stats()
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        kids.setdefault(ppid, []).append(pid)
    workers = {pid: _tree(pid, stats, kids) for pid in kids.get(server_pid, [])}
    return _Reading(
        at=time.monotonic(),
        machine=machine_busy(),
        server=stats.get(server_pid, (0, 0.0))[1] + sum(workers.values()),
        workers=workers,
        redis=_tree(redis_pid, stats, kids) if redis_pid is not None else 0.0,
        children=_children(),
    )


def wait_quiet() -> float:
    """Wait (up to QUIET_WAIT s) until other processes use under QUIET_CORES; the last reading."""
    deadline = time.monotonic() + QUIET_WAIT
    while True:
        busy = busy_cores(0.5)
        if busy < QUIET_CORES or time.monotonic() > deadline:
            return busy
        time.sleep(1.0)


def busy_cores(seconds: float) -> float:
    before = machine_busy()
    time.sleep(seconds)
    return (machine_busy() - before) / seconds


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = values[3], values[4]
    return (sum(values[:8]) - idle - iowait) / _TICK


def trees_cpu(roots: list[int]) -> float:
    """CPU seconds used so far by the processes `roots`, their live descendants, and every
    descendant they already reaped (an RQ worker's work horses, a gunicorn worker replaced)."""
    stats = _all_stats(with_reaped=True)
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        kids.setdefault(ppid, []).append(pid)
    return sum(_tree(root, stats, kids) for root in roots)


def _children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree(root: int, stats: dict[int, tuple[int, float]], kids: dict[int, list[int]]) -> float:
    """CPU seconds used so far by `root` and its live descendants."""
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, (0, 0.0))[1]
        todo += kids.get(pid, [])
    return total


def _all_stats(with_reaped: bool = False) -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds) for every process; with the CPU seconds of the children
    it reaped when `with_reaped`."""
    found: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name (field 2) may hold spaces: split after its closing parenthesis.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        ticks = int(fields[11]) + int(fields[12])
        if with_reaped:
            ticks += int(fields[13]) + int(fields[14])
        found[int(entry.name)] = (int(fields[1]), ticks / _TICK)
    return found
