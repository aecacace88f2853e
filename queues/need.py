"""What a routed call needs from the queues, read from its routing decision: which line
(queue, tier, skills), its priority, when it first joined a line, and whose it was before."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

DEFAULT_QUEUE = "general"


@dataclass(frozen=True)
class Need:
    queue: str
    tier: str
    skills: tuple[str, ...]
    priority: str
    issue: str
    queued_at: float | None
    """When the call first joined a line (kept through escalation, a missed agent, or a
    callback), so it never loses its place; None until it joins one."""
    preferred_agent: str | None


def need_of(decision: Mapping[str, Any] | None) -> Need:
    decision = decision or {}
    queued = decision.get("queued_at")
    return Need(
        queue=str(decision.get("queue") or DEFAULT_QUEUE),
        tier=str(decision.get("tier") or "L1"),
        skills=tuple(str(s) for s in decision.get("skills") or ()),
        priority=str(decision.get("priority") or "normal"),
        issue=str(decision.get("issue") or ""),
        queued_at=float(queued) if isinstance(queued, (int, float)) else None,
        preferred_agent=str(decision.get("preferred_agent") or "") or None,
    )


def recent_enough(updated_at: str | None, now: datetime, window: int) -> bool:
    """Whether the ticket's last agent is still the caller's agent (within `window` s)."""
    if not updated_at:
        return False
    try:
        then = datetime.fromisoformat(updated_at)
    except ValueError:
        return False
    return (now - then).total_seconds() <= window
