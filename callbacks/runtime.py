"""What the callback domain works with, and its one way of changing a callback: read, decide,
move atomically (re-reading on a conflict), then copy the change onto the call's transcript."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis

from callbacks.pacing import Pacer
from callbacks.policy import Policy, TreeCallbacks, policy_for, tree_section, with_tree
from callbacks.record import Callback, State
from callbacks.slots import LineOpen
from callbacks.store import CallbackStore
from callbacks.transcript import callback_event, copy_to_call
from core import line_hours
from core.clock import Clock
from core.errors import HotlineError
from core.opening_hours import OpeningHours
from core.phone import parse_caller
from core.process_cache import ProcessCache
from core.published_menus import menu_source
from core.session import SessionStore
from core.settings import CallbackSettings, Settings
from core.telephony import Telephony
from queues.queue_store import QueueStore

MAX_TRIES = 8
"""How often a change is recomputed when other processes keep changing the same callback."""

Schedule = Callable[[str, datetime], None]
"""Arranges for `callbacks.jobs.dial_due(callback_id)` to run at a time."""

TREES_CACHED = 64
"""Menu versions whose `callbacks:` section a process keeps parsed."""
_TREE_SECTIONS: ProcessCache[str, TreeCallbacks] = ProcessCache(TREES_CACHED)


@dataclass(frozen=True)
class Move:
    """A decided change: the target state, what to say about it, and the fields to change."""

    target: State
    text: str
    due: float | None = None
    lease: float | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    follow_up: str = ""


Decide = Callable[[Callback], "Move | None"]


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    redis: redis.Redis
    store: CallbackStore
    sessions: SessionStore
    telephony: Telephony
    queues: QueueStore
    pacer: Pacer
    clock: Clock
    schedule: Schedule

    def now(self) -> float:
        return self.clock.now().timestamp()

    def policy(self, record: Callback) -> Policy:
        """The rules for this callback: the settings with its menu tree's `callbacks:`
        overrides, in the zone chosen when it was promised."""
        caller = parse_caller(record.phone, self.settings.default_region)
        return policy_for(self.tree_settings(record.menu_version), record.timezone or None,
                          caller.region if caller else None,
                          self.line_open(record.menu_version, record.line))

    def tree_settings(self, menu_version: str) -> CallbackSettings:
        """The callback settings with the `callbacks:` overrides of menu `menu_version`."""
        return with_tree(self.settings.callbacks, self._tree_section(menu_version))

    def line_open(self, menu_version: str, called: str) -> LineOpen:
        """Whether line `called` is open at an instant: by the hours admins set for it (or
        every line), else menu `menu_version`'s own; always, when neither says. Redis is read
        only when first asked (only slots and a reschedule ask), not for every policy made."""
        found: list[OpeningHours | None] = []

        def is_open(at: datetime) -> bool:
            if not found:
                found.append(self._opening_hours(menu_version, called))
            return found[0] is None or found[0].is_open(at)
        return is_open

    def _opening_hours(self, menu_version: str, called: str) -> OpeningHours | None:
        set_by_admins = line_hours.read(self.redis, called)
        if set_by_admins is not None:
            return set_by_admins
        tree = self._tree_section(menu_version)
        return tree.opening if tree is not None else None

    def _tree_section(self, menu_version: str) -> TreeCallbacks | None:
        # A menu version is its content's hash, so its section never changes: read and parse
        # the tree once per process, not at every offer step and every dial.
        found = _TREE_SECTIONS.find(menu_version)
        if found is None and menu_version:
            source = menu_source(self.redis, menu_version)
            if source is None:
                return None
            found = _TREE_SECTIONS.keep(menu_version, tree_section(source))
        return found

    def change(self, callback_id: str, decide: Decide) -> Callback | None:
        """Apply what `decide` makes of the current record; None when it decides nothing (or
        the callback is unknown)."""
        for _ in range(MAX_TRIES):
            record = self.store.get(callback_id)
            if record is None:
                return None
            move = decide(record)
            if move is None:
                return None
            moved = self._apply(record, move)
            if moved is not None:
                return moved
        raise HotlineError(f"callback {callback_id}: kept conflicting; gave up")

    def _apply(self, record: Callback, move: Move) -> Callback | None:
        at = self.clock.now()
        after = record.evolve(state=move.target, **move.changes)
        events = [callback_event(at, after, move.text, **move.details)]
        if move.follow_up:
            events.append(callback_event(at, after, move.follow_up, task="follow-up"))
        moved = self.store.move(record, move.target, events, due=move.due, lease=move.lease,
                                **move.changes)
        if moved is not None:
            copy_to_call(self.store, self.sessions, moved)
        return moved
