"""A call's routing is one typed value: a session written before it existed (a deploy in
progress) reads into it, and it is stored back in the same JSON shape."""

from __future__ import annotations

from core.routing import Routing


def test_a_routing_that_only_carries_an_offer_gets_the_defaults() -> None:
    routing = Routing.from_dict({"callback_offer": {"tries": 1}})
    assert (routing.issue, routing.priority, routing.tier, routing.line_queue) == (
        "general", "normal", "L1", "general")
    assert routing.queue == "" and routing.callback is None and routing.escalation is None
    assert Routing.from_dict(routing.to_dict()) == routing
