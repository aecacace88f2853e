"""A callback promised to a caller, and the states it may move through.

    scheduled ──▶ dialing ──▶ connected ──▶ completed
        ▲  │         │
        │  │         ├──▶ retry_wait ──▶ dialing ...
        │  │         └──▶ failed            (no attempts left, or the number is refused)
        │  └──▶ cancelled                   (from scheduled or retry_wait: caller or API)
        └── dialing (no agent after all, or an attempt that never went out)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any


class State(StrEnum):
    SCHEDULED = "scheduled"
    DIALING = "dialing"
    CONNECTED = "connected"
    COMPLETED = "completed"
    RETRY_WAIT = "retry_wait"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Mode(StrEnum):
    ASAP = "asap"
    """As soon as an agent is free: the callback waits in the virtual queue, in the caller's
    place (ranked by the original arrival)."""
    SLOT = "slot"
    """At a time the caller chose."""


PENDING = frozenset({State.SCHEDULED, State.DIALING, State.RETRY_WAIT})
"""States in which the callback is still owed to the caller."""

FINAL = frozenset({State.COMPLETED, State.FAILED, State.CANCELLED})

MOVES: dict[State, frozenset[State]] = {
    State.SCHEDULED: frozenset({State.SCHEDULED, State.DIALING, State.CANCELLED}),
    State.DIALING: frozenset({State.DIALING, State.CONNECTED, State.RETRY_WAIT,
                              State.FAILED, State.SCHEDULED}),
    State.RETRY_WAIT: frozenset({State.RETRY_WAIT, State.DIALING, State.CANCELLED,
                                 State.SCHEDULED, State.FAILED}),
    State.CONNECTED: frozenset({State.COMPLETED, State.CONNECTED}),
    State.COMPLETED: frozenset(),
    State.FAILED: frozenset(),
    State.CANCELLED: frozenset(),
}
"""Which state may follow which; the store refuses anything else."""


def sources(target: State) -> list[State]:
    """The states from which `target` may be reached."""
    return [state for state, allowed in MOVES.items() if target in allowed]


@dataclass(frozen=True)
class Callback:
    """One promised callback: who, about what, when, for which queue, and how far it got."""

    id: str
    phone: str
    issue: str
    queue: str
    tier: str
    skills: tuple[str, ...]
    priority: str
    language: str
    origin_call: str
    mode: Mode
    due_at: float
    arrived_at: float
    timezone: str
    created_at: float
    from_number: str = ""
    menu_version: str = ""
    line: str = ""
    """The number the caller called: its opening hours bound the times offered later."""
    state: State = State.SCHEDULED
    attempts: int = 0
    attempt: str = ""
    agent: str = ""
    customer_call: str = ""
    last_result: str = ""
    connected_at: float = 0.0
    finished_at: float = 0.0
    next_try: float = 0.0
    version: int = 0

    @property
    def task(self) -> str:
        """The name the queue store knows this callback by."""
        return f"cb:{self.id}"

    @property
    def pending(self) -> bool:
        return self.state in PENDING

    def evolve(self, **changes: Any) -> Callback:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["skills"] = list(self.skills)
        return found


_FLOAT = {"due_at", "arrived_at", "created_at", "connected_at", "finished_at", "next_try"}
_INT = {"attempts", "version"}
_STORED = [f.name for f in fields(Callback) if f.name != "id"]


def encode(record: Callback) -> dict[str, str]:
    """The record as the flat string fields of its Redis hash."""
    out: dict[str, str] = {}
    for name in _STORED:
        value = getattr(record, name)
        out[name] = json.dumps(list(value)) if name == "skills" else str(value)
    return out


def decode(callback_id: str, raw: Mapping[str, str]) -> Callback:
    """A record from its Redis hash (as text)."""
    values: dict[str, Any] = {"id": callback_id}
    for name in _STORED:
        if name not in raw:
            continue
        value = raw[name]
        if name == "skills":
            values[name] = tuple(json.loads(value))
        elif name in _FLOAT:
            values[name] = float(value)
        elif name in _INT:
            values[name] = int(value)
        elif name == "state":
            values[name] = State(value)
        elif name == "mode":
            values[name] = Mode(value)
        else:
            values[name] = value
    return Callback(**values)
