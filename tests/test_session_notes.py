"""Events from outside a call's webhooks (a callback's progress, an escalation) reach its log
once, however often the same note is sent, and reach the ticket bridge's stream."""

from __future__ import annotations

from datetime import UTC, datetime

import redis

from core import keys
from core.events import Event, EventKind
from core.session import CallSession, SessionStore

AT = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def test_a_note_is_appended_once_per_key_and_announced_on_the_stream(
    redis_client: redis.Redis,
) -> None:
    store = SessionStore(redis_client, ttl=3600)
    assert store.commit(CallSession("CA1", caller="+14155550123"), [], "incoming", "")
    note = [Event(AT, EventKind.CALLBACK, "Callback scheduled for 9:00", {"state": "scheduled"})]
    assert store.note("CA1", "callback:cb1:scheduled", note)
    assert store.note("CA1", "callback:cb1:scheduled", note)  # sent again: nothing added
    assert [e["text"] for e in store.events("CA1")] == ["Callback scheduled for 9:00"]
    assert redis_client.xlen(keys.call_event_stream()) == 1


def test_a_note_about_an_unknown_call_is_refused(redis_client: redis.Redis) -> None:
    store = SessionStore(redis_client, ttl=3600)
    note = [Event(AT, EventKind.NOTE, "Escalated to L2")]
    assert not store.note("CA-never-seen", "escalate:1", note)
    assert not redis_client.exists(keys.call_events("CA-never-seen"))
