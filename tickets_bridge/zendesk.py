"""Zendesk: a ticket per Hotline ticket, the transcript as internal notes, tags and priority.

Uses Zendesk's Tickets API (`POST /api/v2/tickets.json`, `PUT /api/v2/tickets/{id}.json`) with
API-token authentication (`{email}/token:{token}`); creation carries Zendesk's
`Idempotency-Key` header, so a retried creation never makes a second Zendesk ticket.
"""

from __future__ import annotations

from typing import Any

import requests

from core.settings import DEFAULT_HELPDESK_TIMEOUT
from tickets_bridge.helpdesk import Bridge, BridgeError, Delivery

PRIORITIES = {"urgent": "urgent", "high": "high", "normal": "normal", "low": "low"}


class ZendeskBridge(Bridge):
    name = "zendesk"

    def __init__(self, base_url: str, email: str, token: str,
                 timeout: float = DEFAULT_HELPDESK_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = (f"{email}/token", token)
        self.timeout = timeout

    def send(self, delivery: Delivery) -> str | None:
        if delivery.kind == "ticket.created":
            created = self._call("POST", "/api/v2/tickets.json", {"ticket": _new(delivery)},
                                 {"Idempotency-Key": delivery.key})
            return str(created["ticket"]["id"])
        if delivery.external_id is None:
            raise BridgeError(f"zendesk: ticket {delivery.ticket_id} was never created there")
        body = _comment(delivery.payload) if delivery.kind == "transcript.appended" \
            else _changes(delivery.payload)
        self._call("PUT", f"/api/v2/tickets/{delivery.external_id}.json", {"ticket": body}, {})
        return None

    def _call(self, method: str, path: str, body: dict[str, Any],
              headers: dict[str, str]) -> dict[str, Any]:
        try:
            response = requests.request(method, self.base_url + path, json=body, auth=self.auth,
                                        headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise BridgeError(f"zendesk {method} {path}: {exc.__class__.__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise BridgeError(f"zendesk {method} {path}: HTTP {response.status_code}")
        answer: dict[str, Any] = response.json() if response.content else {}
        return answer


def _new(delivery: Delivery) -> dict[str, Any]:
    ticket = delivery.payload
    phone = ticket.get("phone") or "unknown caller"
    lines = [f"{e['at']}  {e['kind']}: {e['text']}" for e in ticket.get("transcript", [])]
    return {
        "subject": ticket.get("subject") or f"Call from {phone}",
        "comment": {"body": "Hotline call transcript\n\n" + "\n".join(lines), "public": False},
        "requester": {"name": phone, "phone": ticket.get("phone")},
        "tags": ticket.get("tags", []),
        "priority": PRIORITIES.get(str(ticket.get("priority")), "normal"),
        "external_id": f"hotline-{delivery.ticket_id}",
    }


def _comment(entry: dict[str, Any]) -> dict[str, Any]:
    # Transcript entries and agents' notes are internal; only an entry marked public (an
    # agent's reply to the caller) becomes a public comment.
    public = bool(entry.get("public")) and not entry.get("internal", True)
    return {"comment": {"body": f"{entry['kind']}: {entry['text']}", "public": public}}


def _changes(fields: dict[str, Any]) -> dict[str, Any]:
    return {"subject": fields.get("subject"), "tags": fields.get("tags", []),
            "priority": PRIORITIES.get(str(fields.get("priority")), "normal"),
            "status": {"new": "new", "open": "open", "pending": "pending",
                       "solved": "solved"}.get(str(fields.get("status")), "open")}
