"""Helpdesk bridges: where tickets are mirrored. A new helpdesk is one subclass of `Bridge`."""

from __future__ import annotations

import hashlib
import hmac
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import requests

from core.settings import DEFAULT_HELPDESK_TIMEOUT


class BridgeError(Exception):
    """A helpdesk refused or did not answer a delivery; it will be retried."""


@dataclass(frozen=True)
class Delivery:
    """One outbox row as a bridge sees it."""

    key: str
    kind: str
    ticket_id: int
    payload: dict[str, Any]
    external_id: str | None


class Bridge(ABC):
    name: str

    @abstractmethod
    def send(self, delivery: Delivery) -> str | None:
        """Deliver; return the helpdesk's id for the ticket when it made one. Raise BridgeError."""


class WebhookBridge(Bridge):
    """POSTs each change as JSON, signed with HMAC-SHA256 of the raw body.

    Body: {"id": idempotency key, "type": "ticket.created" | "ticket.updated" |
    "transcript.appended", "ticket_id": int, "data": {...}}. Headers:
    `X-Hotline-Signature: sha256=<hex>` and `X-Hotline-Idempotency-Key: <id>`; a receiver
    checks the first with `verify_signature` and ignores an id it has already seen.
    """

    name = "webhook"

    def __init__(self, url: str, secret: str, timeout: float = DEFAULT_HELPDESK_TIMEOUT
                 ) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def send(self, delivery: Delivery) -> str | None:
        body = json.dumps({"id": delivery.key, "type": delivery.kind,
                           "ticket_id": delivery.ticket_id, "data": delivery.payload},
                          sort_keys=True, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json",
                   "X-Hotline-Signature": sign(self.secret, body),
                   "X-Hotline-Idempotency-Key": delivery.key}
        try:
            response = requests.post(self.url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise BridgeError(f"webhook {self.url}: {exc.__class__.__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise BridgeError(f"webhook {self.url}: HTTP {response.status_code}")
        return None


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    """True when `header` (X-Hotline-Signature) is the signature of `body` with `secret`."""
    return hmac.compare_digest(sign(secret, body), header.strip())
