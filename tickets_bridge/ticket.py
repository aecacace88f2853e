"""A ticket as the API, agents and helpdesks see it: a plain value built from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.clock import isoformat


@dataclass(frozen=True)
class Ticket:
    id: int
    phone: str | None
    subject: str
    issue: str
    priority: str
    tier: str
    queue: str
    status: str
    assignee: str | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    sla_first_response_due: datetime | None
    sla_resolution_due: datetime | None
    disposition: str | None = None
    resolved_first_contact: bool | None = None
    csat: int | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recordings(self) -> list[dict[str, Any]]:
        return [e for e in self.transcript if e["kind"] == "recording"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "phone": self.phone, "subject": self.subject, "issue": self.issue,
            "priority": self.priority, "tier": self.tier, "queue": self.queue,
            "status": self.status, "assignee": self.assignee, "tags": self.tags,
            "calls": self.calls, "callbacks": [], "recordings": self.recordings,
            "transcript": self.transcript,
            "disposition": self.disposition,
            "resolved_first_contact": self.resolved_first_contact,
            "csat": self.csat,
            "sla": {"first_response_due": _iso(self.sla_first_response_due),
                    "resolution_due": _iso(self.sla_resolution_due)},
            "created_at": isoformat(self.created_at), "updated_at": isoformat(self.updated_at),
        }


def _iso(at: datetime | None) -> str | None:
    return isoformat(at) if at is not None else None
