"""A ticket as the API, agents and helpdesks see it: a plain value built from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
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
    linked_tickets: list[dict[str, Any]] = field(default_factory=list)
    """The caller's other open tickets, each about another issue."""

    @property
    def recordings(self) -> list[dict[str, Any]]:
        """One entry per recording, as its transcript entries (made, processed or failed,
        transcribed) left it."""
        found: dict[str, dict[str, Any]] = {}
        for entry in self.transcript:
            if entry["kind"] in ("recording", "transcription"):
                sid = str(entry.get("recording_sid") or f"#{len(found)}")
                _recorded(found.setdefault(sid, {
                    "recording_sid": entry.get("recording_sid") or "", "at": entry["at"],
                    "call_sid": entry.get("call_sid"),
                    "status": "recorded", "duration": None, "url": "", "files": {},
                    "transcription": None}), entry)
        return list(found.values())

    @property
    def callbacks(self) -> list[dict[str, Any]]:
        """The ticket's callbacks as their changes (copied onto the call's log) left them."""
        found: dict[str, dict[str, Any]] = {}
        for entry in self.transcript:
            if entry["kind"] == "callback" and entry.get("callback_id"):
                _follow(found.setdefault(str(entry["callback_id"]), {
                    "id": str(entry["callback_id"]), "state": "", "due_at": None,
                    "attempts": 0, "tried": []}), entry)
        return [{k: v for k, v in c.items() if k != "tried"} for c in found.values()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "phone": self.phone, "subject": self.subject, "issue": self.issue,
            "priority": self.priority, "tier": self.tier, "queue": self.queue,
            "status": self.status, "assignee": self.assignee, "tags": self.tags,
            "calls": self.calls, "callbacks": self.callbacks, "recordings": self.recordings,
            "linked_tickets": self.linked_tickets, "transcript": self.transcript,
            "disposition": self.disposition,
            "resolved_first_contact": self.resolved_first_contact,
            "csat": self.csat,
            "sla": {"first_response_due": _iso(self.sla_first_response_due),
                    "resolution_due": _iso(self.sla_resolution_due)},
            "created_at": isoformat(self.created_at), "updated_at": isoformat(self.updated_at),
        }


def _recorded(recording: dict[str, Any], entry: dict[str, Any]) -> None:
    """Move a recording's summary on by one of its transcript entries."""
    if entry["kind"] == "transcription":
        recording["transcription"] = {k: entry.get(k) for k in
                                      ("text", "source", "mode", "confidence", "at")}
        return
    if entry.get("status") in ("processed", "failed"):
        recording["status"] = entry["status"]
    if entry.get("status") == "failed":
        recording["reason"] = entry.get("reason") or entry["text"]
    if entry.get("duration") is not None:
        recording["duration"] = entry["duration"]
    recording["url"] = entry.get("url") or recording["url"]
    recording["files"] = entry.get("files") or recording["files"]


def _follow(callback: dict[str, Any], entry: dict[str, Any]) -> None:
    """Move a callback's summary on by one of its transcript entries."""
    if entry.get("task") != "follow-up":
        callback["state"] = entry.get("state", callback["state"])
    if isinstance(entry.get("due"), int | float):
        callback["due_at"] = isoformat(datetime.fromtimestamp(entry["due"], UTC))
    elif entry.get("next_try"):
        callback["due_at"] = str(entry["next_try"])
    attempt = entry.get("attempt")
    if attempt and entry.get("state") == "dialing" and attempt not in callback["tried"]:
        callback["tried"].append(attempt)
    elif attempt and entry.get("result") == "not placed" and attempt in callback["tried"]:
        callback["tried"].remove(attempt)  # the attempt never went out: it does not count
    callback["attempts"] = len(callback["tried"])


def _iso(at: datetime | None) -> str | None:
    return isoformat(at) if at is not None else None
