"""The simulated caller's text messages: a text sent to Hotline's Messaging URL, signed as
Twilio signs it, with the reply it gets; and the texts Hotline sent the caller, read from the
simulated phone network (Hotline without Twilio)."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from typing import Any

from twilio.request_validator import RequestValidator

from simulator.caller import Transport


def send_text(transport: Transport, base_url: str, auth_token: str, sender: str, to: str,
              body: str) -> list[str]:
    """Text `body` from `sender` to Hotline's number `to`; the texts Hotline answers with."""
    url = f"{base_url.rstrip('/')}/sms/incoming"
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32,
            "From": sender, "To": to, "Body": body, "NumMedia": "0",
            "ApiVersion": "2010-04-01"}
    signature = RequestValidator(auth_token).compute_signature(url, form)
    reply = transport.post(url, form, {"X-Twilio-Signature": signature})
    if reply.status != 200:
        raise OSError(f"the SMS webhook answered HTTP {reply.status}: {reply.body[:200]}")
    return [m.text or "" for m in ET.fromstring(reply.body).iter("Message")]


def texts_sent_to(transport: Transport, base_url: str, admin_token: str | None,
                  number: str) -> list[dict[str, Any]] | None:
    """The texts Hotline sent `number` not shown before (None: Hotline talks to Twilio)."""
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    url = f"{base_url.rstrip('/')}/api/v1/simulator/messages/taken?to={number}"
    reply = transport.post(url.replace("+", "%2B"), {}, headers)
    if reply.status != 200:
        return None
    found: list[dict[str, Any]] = json.loads(reply.body)
    return found
