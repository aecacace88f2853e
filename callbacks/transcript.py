"""A callback's state changes, copied onto the original call's event log so they reach the
ticket's transcript.

The store appends each change to the callback's own log atomically with the change; copying
it to the call is a separate, idempotent step (one step key per log entry, and a high-water
mark), so a process that dies in between leaves nothing lost: the next copy adds it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callbacks.record import Callback
from callbacks.store import CallbackStore
from core.events import Event, EventKind
from core.session import SessionStore


def callback_event(at: datetime, record: Callback, text: str, **details: Any) -> Event:
    """An event about `record` for its log and the call's transcript."""
    fields: dict[str, Any] = {"callback_id": record.id, "state": record.state.value,
                              "phone": record.phone}
    fields.update({k: v for k, v in details.items() if v not in (None, "")})
    return Event(at, EventKind.CALLBACK, text, fields)


def copy_to_call(store: CallbackStore, sessions: SessionStore, record: Callback) -> None:
    """Append the callback's log entries not yet copied to its original call's log, in order;
    each entry goes there once however often (or concurrently) this runs."""
    start = store.copied(record.id)
    entries = store.log(record.id, start)
    for position, entry in enumerate(entries, start=start):
        event = Event(datetime.fromisoformat(entry["at"].replace("Z", "+00:00")),
                      EventKind(entry["kind"]), entry["text"],
                      {k: v for k, v in entry.items() if k not in ("at", "kind", "text")})
        sessions.note(record.origin_call, f"callback:{record.id}:{position}", [event])
    if entries:
        store.mark_copied(record.id, start + len(entries))
