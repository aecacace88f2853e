"""A call's routing is one typed value: a session written before it existed (a deploy in
progress) reads into it, and it is stored back in the same JSON shape."""

from __future__ import annotations

import orjson
import redis

from core import keys
from core.call_status import CallStatus
from core.routing import CallbackLeg, Escalation, Routing
from core.session import SessionStore

OLD_DECISION = {
    "outcome": "route", "issue": "billing/dispute", "priority": "high", "tier": "L2",
    "queue": "billing", "skills": ["billing"], "reasons": ["repeat_call"], "ticket": 7,
    "preferred_agent": "a7", "queued_at": 1764000000.5,
    "callback_offer": {"origin": "hold", "tries": 0}, "callback_id": "cb1",
    "origin_call": "CAorigin", "escalated_from": "L1 agent a1", "escalation_note": "refund",
}


def test_a_session_the_old_code_wrote_reads_as_routing_and_is_stored_the_same(
    redis_client: redis.Redis,
) -> None:
    redis_client.hset(keys.call("CA1"), mapping={
        "rev": "3", "language": "en", "status": "escalated",
        "decision": orjson.dumps(OLD_DECISION)})
    store = SessionStore(redis_client, ttl=3600)
    session = store.load("CA1")
    assert session is not None and session.status is CallStatus.ESCALATED
    routing = session.routing
    assert routing is not None
    assert (routing.issue, routing.category, routing.priority, routing.tier, routing.queue,
            routing.skills, routing.reasons, routing.ticket, routing.preferred_agent,
            routing.queued_at) == ("billing/dispute", "billing", "high", "L2", "billing",
                                   ("billing",), ("repeat_call",), 7, "a7", 1764000000.5)
    assert routing.offer == {"origin": "hold", "tries": 0}
    assert routing.callback == CallbackLeg("cb1", "CAorigin")
    assert routing.escalation == Escalation("L1 agent a1", "refund")
    assert store.commit(session, [], "again", "")
    stored = orjson.loads(redis_client.hget(keys.call("CA1"), "decision") or b"")
    assert stored == OLD_DECISION
    assert redis_client.hget(keys.call("CA1"), "status") == b"escalated"


def test_a_routing_that_only_carries_an_offer_gets_the_defaults() -> None:
    routing = Routing.from_dict({"callback_offer": {"tries": 1}})
    assert (routing.issue, routing.priority, routing.tier, routing.line_queue) == (
        "general", "normal", "L1", "general")
    assert routing.queue == "" and routing.callback is None and routing.escalation is None
    assert Routing.from_dict(routing.to_dict()) == routing
