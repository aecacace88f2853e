"""Where each ticket stands against its service-level due times at a moment (pure): met,
breached, overdue (due passed, still not done) or at risk (due within the warning window)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.clock import isoformat

DEFAULT_WARNING = timedelta(minutes=30)
"""How long before a due time an unmet ticket is reported at risk."""


@dataclass(frozen=True)
class TicketFacts:
    id: int
    issue: str
    queue: str
    tier: str
    priority: str
    status: str
    assignee: str
    created_at: datetime
    first_response_due: datetime | None
    resolution_due: datetime | None
    first_response_at: datetime | None
    """When an agent first spoke with the caller on any leg of the ticket."""
    resolved_at: datetime | None
    """When an agent's wrap-up first set the ticket solved."""
    resolved_first_contact: bool | None
    inbound_calls: int


@dataclass(frozen=True)
class SlaItem:
    """A ticket's target that is overdue or at risk."""

    ticket: TicketFacts
    target: str
    """`first_response` or `resolution`."""
    due: datetime
    state: str
    """`overdue` (due passed, not done) or `at_risk` (due within the warning window)."""

    def to_dict(self, now: datetime) -> dict[str, Any]:
        return {"ticket": self.ticket.id, "target": self.target, "due": isoformat(self.due),
                "state": self.state, "seconds_left": round((self.due - now).total_seconds()),
                "issue": self.ticket.issue, "queue": self.ticket.queue,
                "priority": self.ticket.priority, "assignee": self.ticket.assignee}


def targets(ticket: TicketFacts) -> list[tuple[str, datetime | None, datetime | None]]:
    """(target, due, met at) for both of a ticket's targets."""
    return [("first_response", ticket.first_response_due, ticket.first_response_at),
            ("resolution", ticket.resolution_due, ticket.resolved_at)]


def watch_list(tickets: Sequence[TicketFacts], now: datetime,
               warning: timedelta = DEFAULT_WARNING) -> list[SlaItem]:
    """Targets not met by `now` that are overdue or due within `warning`, soonest due first."""
    items = [SlaItem(t, name, due, "overdue" if due <= now else "at_risk")
             for t in tickets for name, due, met in targets(t)
             if due is not None and (met is None or met > now) and due - now <= warning]
    return sorted(items, key=lambda i: (i.due, i.ticket.id, i.target))


def breached(tickets: Sequence[TicketFacts], target: str, now: datetime) -> int:
    """Tickets whose `target` was missed: met after its due time, or still unmet past it."""
    return sum(1 for t in tickets for name, due, met in targets(t)
               if name == target and due is not None and (met or now) > due)
