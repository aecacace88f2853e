"""A call's routing as it travels between features: what the IVR decided (issue, priority,
tier, queue, skills and why), then what the queues, the callback offer, an answered callback
and an escalation add on the way.

The session hash stores it as its `decision` field, flat JSON (`to_dict`): the IVR's keys
(outcome, issue, priority, tier, queue, skills, reasons, ticket, preferred_agent), then
`queued_at`, `callback_offer`, `callback_id` and `origin_call`, `escalated_from` and
`escalation_note` once they apply. `from_dict` reads any such mapping back, sessions written
before this type existed and `decision` events included.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

GENERAL = "general"
"""The issue of a call whose menu path named none."""

DEFAULT_QUEUE = "general"
"""The line of a call whose routing names no queue (a callback or message outcome)."""

DEFAULT_TIER = "L1"
"""The tier of a call whose routing names none."""

DEFAULT_PRIORITY = "normal"
"""The priority of a call whose routing names none."""


def category_of(issue: str) -> str:
    """The top-level category of an issue such as `billing/dispute`."""
    return issue.split("/", 1)[0]


@dataclass(frozen=True)
class CallbackLeg:
    """The call is the answered callback `id`, which the caller asked for on `origin_call`."""

    id: str
    origin_call: str


@dataclass(frozen=True)
class Escalation:
    """An agent moved the call on: who (`source`, such as "L1 agent a7") and their note."""

    source: str
    note: str = ""


@dataclass(frozen=True)
class Routing:
    """Where a call is going and why, as every feature after the menu reads it."""

    outcome: str = ""
    """How the menu ended (an `ivr.menu.OutcomeKind` value); empty before it ended."""
    issue: str = GENERAL
    priority: str = DEFAULT_PRIORITY
    tier: str = DEFAULT_TIER
    queue: str = ""
    """The queue the outcome named; empty when it named none (see `line_queue`)."""
    skills: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    """Why the priority rose (vip, outage, repeat_call, urgent_words)."""
    ticket: int | None = None
    """The caller's open ticket on this issue, as the IVR found it."""
    preferred_agent: str | None = None
    """That ticket's agent, as the IVR found it."""
    queued_at: float | None = None
    """When the call first joined a line (kept through escalation, a missed agent or a
    callback), so it never loses its place; None until it joins one."""
    offer: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """The callback offer conversation's state (`callbacks.offer_steps.Offer`)."""
    callback: CallbackLeg | None = None
    escalation: Escalation | None = None

    @property
    def category(self) -> str:
        return category_of(self.issue)

    @property
    def line_queue(self) -> str:
        """The queue whose lines the call waits in: the one decided, else the general one."""
        return self.queue or DEFAULT_QUEUE

    def evolve(self, **changes: Any) -> Routing:
        """A copy with `changes`."""
        return dataclasses.replace(self, **changes)

    def with_offer(self, state: Mapping[str, Any]) -> Routing:
        return self.evolve(offer=dict(state))

    def escalated(self, by_agent: str, tier: str, queue: str, skills: tuple[str, ...],
                  note: str) -> Routing:
        """Moved by `by_agent` to another tier, queue or skill set; ticket and place stay."""
        return self.evolve(tier=tier, queue=queue, skills=skills,
                           escalation=Escalation(f"{self.tier} agent {by_agent}", note))

    def describe(self) -> str:
        """The routing in words, as the transcript tells it."""
        where = f"queue {self.queue} ({self.tier})" if self.queue else self.outcome
        why = f" because {', '.join(self.reasons)}" if self.reasons else ""
        return f"{self.issue} at {self.priority} priority to {where}{why}"

    def to_dict(self) -> dict[str, Any]:
        """The flat JSON shape stored in the session and carried by `decision` events."""
        data: dict[str, Any] = {
            "outcome": self.outcome, "issue": self.issue, "priority": self.priority,
            "tier": self.tier, "queue": self.queue, "skills": list(self.skills),
            "reasons": list(self.reasons), "ticket": self.ticket,
            "preferred_agent": self.preferred_agent,
        }
        if self.queued_at is not None:
            data["queued_at"] = self.queued_at
        if self.offer:
            data["callback_offer"] = dict(self.offer)
        if self.callback is not None:
            data["callback_id"] = self.callback.id
            data["origin_call"] = self.callback.origin_call
        if self.escalation is not None:
            data["escalated_from"] = self.escalation.source
            data["escalation_note"] = self.escalation.note
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Routing:
        """The routing `data` describes (`to_dict`'s shape; missing keys take the defaults,
        other keys are ignored)."""
        get = data.get
        ticket, queued, offer = get("ticket"), get("queued_at"), get("callback_offer")
        callback_id, escalated_from = get("callback_id"), get("escalated_from")
        routing = object.__new__(cls)
        # Filled in directly, as CallSession.evolve is: a frozen dataclass's __init__ would
        # cost more than all the rest of reading a routed call's session.
        routing.__dict__.update(
            outcome=str(get("outcome") or ""),
            issue=str(get("issue") or GENERAL),
            priority=str(get("priority") or DEFAULT_PRIORITY),
            tier=str(get("tier") or DEFAULT_TIER),
            queue=str(get("queue") or ""),
            skills=tuple(map(str, get("skills") or ())),
            reasons=tuple(map(str, get("reasons") or ())),
            ticket=ticket if isinstance(ticket, int) and not isinstance(ticket, bool) else None,
            preferred_agent=str(get("preferred_agent") or "") or None,
            queued_at=float(queued) if isinstance(queued, int | float) else None,
            offer=dict(offer) if isinstance(offer, Mapping) else {},
            callback=CallbackLeg(str(callback_id), str(get("origin_call") or ""))
            if callback_id else None,
            escalation=Escalation(str(escalated_from), str(get("escalation_note") or ""))
            if escalated_from else None,
        )
        return routing
