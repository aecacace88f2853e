"""What the agent hears before the caller is connected: built from the call's session so nobody
asks the caller to repeat themselves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MAX_WORDS = 60
"""Words of the caller's own speech read to the agent; the screen-pop has the rest."""


def whisper_text(decision: Mapping[str, Any], words: Sequence[str], ticket: str | None,
                 repeat: bool) -> str:
    """Issue, priority, ticket number and the caller's own words, in one breath."""
    issue = str(decision.get("issue") or "general enquiry").replace("/", ", ").replace("_", " ")
    parts = [f"{str(decision.get('priority') or 'normal').capitalize()} priority call "
             f"about {issue}."]
    parts.append(f"Ticket {ticket}." if ticket else "New ticket.")
    if repeat:
        parts.append("The caller has called about this before.")
    escalated = decision.get("escalated_from")
    if escalated:
        parts.append(f"Escalated from {escalated}: {decision.get('escalation_note') or 'no note'}.")
    if decision.get("callback_id"):
        parts.append("This is the callback they asked for.")
    said = " ".join(w for w in words if w).split()
    if said:
        quoted = " ".join(said[:MAX_WORDS]) + (" and more" if len(said) > MAX_WORDS else "")
        parts.append(f"In their words: {quoted}.")
    else:
        parts.append("They used the keypad only.")
    return " ".join(parts)
