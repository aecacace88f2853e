"""What a caller said about their problem, picked from a call's event log: the words a ticket's
subject, the whisper and the screen-pop repeat, so nobody asks the caller again."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

COMMANDS = ("human", "repeat", "back")
"""Meanings of speech that steered the menu (`agent`, `repeat`, `go back`), not a story."""


TRUSTED_TRANSCRIPTIONS = ("high", "unrated")
"""Transcriptions of a recording told as the caller's words: a grammar match, or Twilio's.
Free-form offline ones (low) get most words wrong, so they stay on the ticket only."""


def told(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """The caller's own words about their problem, in order: speech that only chose a menu
    option (one word, or the option's own name, such as "english") or gave a command is left
    out; a recording's transcription counts when it can be trusted."""
    return [str(e["text"]) for e in events if str(e.get("text", "")).strip() and (
        (e.get("kind") == "speech" and e.get("meaning") not in COMMANDS
         and not _names_option(e))
        or (e.get("kind") == "transcription"
            and e.get("confidence") in TRUSTED_TRANSCRIPTIONS))]


def _names_option(event: Mapping[str, Any]) -> bool:
    said = _words(str(event["text"]))
    option = event.get("option")
    if not option:
        return False
    return len(said) <= 1 or said == _words(str(option))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())
