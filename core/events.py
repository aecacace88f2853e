"""Entries of a call's append-only event log: the raw material of every ticket's transcript."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson

from core.card_data import mask, masked_fields
from core.clock import isoformat


class EventKind(StrEnum):
    CALL = "call"
    PROMPT = "prompt"
    DTMF = "dtmf"
    SPEECH = "speech"
    DECISION = "decision"
    QUEUE = "queue"
    AGENT = "agent"
    CALLBACK = "callback"
    RECORDING = "recording"
    TRANSCRIPTION = "transcription"
    NOTE = "note"
    SMS = "sms"


@dataclass(frozen=True)
class Event:
    """One thing that happened on a call: when, what kind, a readable text, and its details."""

    at: datetime
    kind: EventKind
    text: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The stored form, card data masked (so no log, ticket or helpdesk ever holds it)."""
        return {"at": isoformat(self.at), "kind": self.kind.value, "text": mask(self.text),
                **masked_fields(self.details)}

    def to_json(self) -> bytes:
        """Compact UTF-8 JSON, as the event log stores it."""
        return orjson.dumps(self.to_dict())
