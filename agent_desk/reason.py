"""Why the caller called, gathered from their ticket's transcript for the agent who takes the
call: the menu options they chose on each call, the words they said (and a voicemail Hotline
transcribed with confidence), and what raised the call's priority. The agent page shows it
before anything else, so nobody asks the caller to start their story again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PRIORITY_FACTS = {"vip": "a VIP caller", "repeat_call": "calling again about it",
                  "outage": "an outage is declared", "urgent_words": "urgent words"}
"""The menu's priority facts (`ivr.menu.FACTS`) as an agent reads them."""
CHOSEN_SEPARATOR = " › "


@dataclass(frozen=True)
class Words:
    at: str
    """Date and time (UTC), as the page shows times."""
    text: str
    how: str
    """"said" in the menu, or "voicemail" (transcribed)."""


@dataclass(frozen=True)
class Reason:
    chosen: list[str]
    """The menu path of each call, in order: "Billing › Wrong charge"."""
    words: list[Words]
    raised_by: list[str]
    """What raised the priority on the latest routing, in words."""
    priority: str = ""
    """The priority the latest routing gave."""

    @property
    def empty(self) -> bool:
        return not (self.chosen or self.words)


def reason_of(transcript: Sequence[Mapping[str, Any]]) -> Reason:
    """The reason for calling that `transcript` (a ticket's, in time order) tells."""
    paths: dict[str, list[str]] = {}
    words: list[Words] = []
    raised_by: list[str] = []
    priority = ""
    for entry in transcript:
        kind = entry.get("kind")
        if kind == "dtmf" and entry.get("meaning") == "option" and entry.get("node") != "language":
            paths.setdefault(str(entry.get("call_sid", "")), []).append(str(entry["option"]))
        elif kind == "speech":
            words.append(Words(_when(entry), str(entry.get("text", "")), "said"))
        elif kind == "transcription" and entry.get("confidence") == "high":
            words.append(Words(_when(entry), str(entry.get("text", "")), "voicemail"))
        elif kind == "decision":
            raised_by = [PRIORITY_FACTS.get(fact, fact) for fact in entry.get("reasons") or []]
            priority = str(entry.get("priority", ""))
    return Reason([CHOSEN_SEPARATOR.join(path) for path in paths.values()], words, raised_by,
                  priority)


def _when(entry: Mapping[str, Any]) -> str:
    at = str(entry.get("at", ""))
    return f"{at[:10]} {at[11:16]}"
