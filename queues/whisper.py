"""What the agent hears before the caller is connected: built from the call's session so nobody
asks the caller to repeat themselves."""

from __future__ import annotations

from collections.abc import Sequence

from core.routing import Routing

MAX_WORDS = 60
"""Words of the caller's own speech read to the agent; the screen-pop has the rest."""

WHISPER_LANGUAGE = "en"
"""The language the whisper is written in (and spoken with its locale, en-US): the agents'."""

LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese",
                  "de": "German"}


def whisper_text(routing: Routing | None, words: Sequence[str], ticket: str | None,
                 earlier: Sequence[str] = (), language: str = "") -> str:
    """Issue, priority, ticket number, the caller's language when it is not the agents', and
    what the caller told: on earlier calls of the ticket (`earlier`) and on this one."""
    issue = routing.issue.replace("/", ", ").replace("_", " ") if routing else "general enquiry"
    routing = routing or Routing()
    parts = [f"{routing.priority.capitalize()} priority call about {issue}."]
    parts.append(f"Ticket {ticket}." if ticket else "New ticket.")
    if "repeat_call" in routing.reasons:
        parts.append("The caller has called about this before.")
    escalated = routing.escalation
    if escalated is not None:
        parts.append(f"Escalated from {escalated.source}: {escalated.note or 'no note'}.")
    if routing.callback is not None:
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
    # A caller who said the same on two calls is quoted once: the agent has no time to hear
    # it twice.
    said = " ".join(dict.fromkeys(w.strip() for w in words if w.strip())).split()
    return " ".join(said[:MAX_WORDS]) + (" and more" if len(said) > MAX_WORDS else "")
