"""What the agent hears before the caller is connected: built from the call's session so nobody
asks the caller to repeat themselves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MAX_WORDS = 60
"""Words of the caller's own speech read to the agent; the screen-pop has the rest."""

WHISPER_LANGUAGE = "en"
"""The language the whisper is written in (and spoken with its locale, en-US): the agents'."""

LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese",
                  "de": "German"}


def whisper_text(decision: Mapping[str, Any], words: Sequence[str], ticket: str | None,
                 repeat: bool, earlier: Sequence[str] = (), language: str = "") -> str:
    """Issue, priority, ticket number, the caller's language when it is not the agents', and
    what the caller told: on earlier calls of the ticket (`earlier`) and on this one."""
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
    if language and language != WHISPER_LANGUAGE:
        parts.append(f"The caller speaks {LANGUAGE_NAMES.get(language, language)}.")
    before = _quoted(earlier)
    if before:
        parts.append(f"Earlier they said: {before}.")
    said = _quoted(words)
    if said:
        parts.append(f"In their words: {said}.")
    else:
        parts.append("This time they used the keypad only." if before
                     else "They used the keypad only.")
    return " ".join(parts)


def _quoted(words: Sequence[str]) -> str:
    said = " ".join(w for w in words if w).split()
    return " ".join(said[:MAX_WORDS]) + (" and more" if len(said) > MAX_WORDS else "")
