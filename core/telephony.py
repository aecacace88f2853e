"""What Hotline asks of the phone network besides answering webhooks: place an outbound call,
move a live call to new TwiML, send an SMS.

Two implementations: `TwilioTelephony` talks to Twilio's REST API through the official client
(or to a mock of it at `TWILIO_API_BASE_URL`); `SimulatedTelephony`, the embedded default with
no Twilio credentials, leaves each request in Redis for the caller simulator to act on.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

import redis
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

from core import keys
from core.errors import HotlineError
from core.redis_values import text
from core.settings import Settings

TWILIO_HOSTS = ("api.twilio.com",)
"""The hosts the REST client is allowed to reach (rewritten to TWILIO_API_BASE_URL when set)."""

RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")


def trusted_recording(sid: str, url: str, api_base_url: str | None) -> tuple[str, str]:
    """The recording's SID and media URL as Twilio would send them, or "" for either part that
    is not: only https URLs on Twilio's API host (or the configured mock's) are kept, so a
    stored link can never be `javascript:`, `file:` or someone else's server."""
    parts = urlsplit(url)
    origins = {f"https://{host}" for host in TWILIO_HOSTS}
    if api_base_url:
        mock = urlsplit(api_base_url)
        origins.add(f"{mock.scheme}://{mock.netloc}")
    from_twilio = f"{parts.scheme}://{parts.netloc}" in origins and \
        parts.path.startswith("/2010-04-01/")
    return (sid if RECORDING_SID.fullmatch(sid) else "", url if from_twilio else "")


REST_TIMEOUT = 10.0
"""Seconds one REST request may take; a worker would rather retry than hang."""


class TelephonyError(HotlineError):
    """A request to the phone network failed; `status` is the HTTP status (0: no answer),
    `code` Twilio's error code when it gave one, `retryable` whether trying again may work."""

    def __init__(self, operation: str, message: str, status: int = 0,
                 code: int | None = None) -> None:
        super().__init__(f"{operation}: {message}")
        self.operation = operation
        self.status = status
        self.code = code

    @property
    def retryable(self) -> bool:
        return self.status == 0 or self.status == 429 or self.status >= 500


@dataclass(frozen=True)
class OutboundCall:
    """An outbound call to place: Twilio fetches `url` for its TwiML once it is answered and
    posts every status change to `status_callback`."""

    to: str
    from_: str
    url: str
    status_callback: str
    machine_detection: bool = False
    timeout: int = 30


class Telephony(Protocol):
    def place_call(self, call: OutboundCall) -> str:
        """Start the call; its CallSid."""
        ...

    def redirect(self, call_sid: str, url: str) -> None:
        """Make a live call leave whatever it is doing and fetch its TwiML from `url`."""
        ...

    def send_sms(self, to: str, from_: str, body: str) -> str:
        """Send a text message; its MessageSid."""
        ...


CURRENT_RECORDING = "Twilio.CURRENT"
"""Twilio's name for a call's recording in progress, whatever its SID."""


@runtime_checkable
class CallRecorder(Protocol):
    def start_recording(self, call_sid: str, status_callback: str) -> str:
        """Record the live call from now on, each party on its own channel; the recording's
        SID. Twilio posts to `status_callback` once it is complete."""
        ...

    def set_recording(self, call_sid: str, status: str) -> None:
        """Pause (`paused`, nothing kept while paused) or resume (`in-progress`) the call's
        recording in progress."""
        ...


class BaseUrlHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """The official HTTP client, sending what it would send to Twilio to `base_url` instead."""

    def __init__(self, base_url: str) -> None:
        super().__init__(timeout=REST_TIMEOUT)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> TwilioResponse:
        parts = urlsplit(url)
        if parts.hostname not in TWILIO_HOSTS:
            raise TelephonyError(method, f"refusing to send a request to {parts.hostname}")
        query = f"?{parts.query}" if parts.query else ""
        return super().request(method, f"{self.base_url}{parts.path}{query}", *args, **kwargs)


class TwilioTelephony:
    """Twilio's REST API through the official client."""

    def __init__(self, account_sid: str, auth_token: str, base_url: str | None = None,
                 http_client: TwilioHttpClient | None = None) -> None:
        if http_client is None:
            http_client = BaseUrlHttpClient(base_url) if base_url \
                else TwilioHttpClient(timeout=REST_TIMEOUT)
        self.client = Client(account_sid, auth_token, http_client=http_client)

    def place_call(self, call: OutboundCall) -> str:
        options: dict[str, Any] = {
            "to": call.to, "from_": call.from_, "url": call.url, "method": "POST",
            "status_callback": call.status_callback, "status_callback_method": "POST",
            "status_callback_event": ["initiated", "ringing", "answered", "completed"],
            "timeout": call.timeout,
        }
        if call.machine_detection:
            options["machine_detection"] = "Enable"
        created = self._rest("create call", lambda: self.client.calls.create(**options))
        return str(created.sid)

    def redirect(self, call_sid: str, url: str) -> None:
        self._rest("redirect call",
                   lambda: self.client.calls(call_sid).update(url=url, method="POST"))

    def send_sms(self, to: str, from_: str, body: str) -> str:
        sent = self._rest("send sms",
                          lambda: self.client.messages.create(to=to, from_=from_, body=body))
        return str(sent.sid)

    def start_recording(self, call_sid: str, status_callback: str) -> str:
        # Twilio's default status event, `completed`, is the one Hotline needs.
        started = self._rest("start recording", lambda: self.client.calls(call_sid).recordings
                             .create(recording_channels="dual",
                                     recording_status_callback=status_callback,
                                     recording_status_callback_method="POST"))
        return str(started.sid)

    def set_recording(self, call_sid: str, status: str) -> None:
        options = {"status": status, **({"pause_behavior": "skip"} if status == "paused" else {})}
        self._rest(f"recording {status}", lambda: self.client.calls(call_sid)
                   .recordings(CURRENT_RECORDING).update(**options))

    @staticmethod
    def _rest(operation: str, request: Callable[[], Any]) -> Any:
        try:
            return request()
        except TwilioRestException as exc:
            raise TelephonyError(operation, str(exc.msg), exc.status, exc.code) from None
        except OSError as exc:  # connection refused, timeouts (requests' errors are OSErrors)
            raise TelephonyError(operation, str(exc)) from None


class SimulatedTelephony:
    """The embedded default without Twilio: each request is left in Redis for the caller
    simulator (and tests) to act on, as Twilio would act on the real one."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def place_call(self, call: OutboundCall) -> str:
        call_sid = "CA" + uuid.uuid4().hex
        self._push(keys.simulated_calls(), {"call_sid": call_sid, **asdict(call)})
        return call_sid

    def redirect(self, call_sid: str, url: str) -> None:
        self._push(keys.simulated_redirects(call_sid), {"call_sid": call_sid, "url": url})

    def send_sms(self, to: str, from_: str, body: str) -> str:
        message_sid = "SM" + uuid.uuid4().hex
        self._push(keys.simulated_messages(),
                   {"message_sid": message_sid, "to": to, "from": from_, "body": body})
        return message_sid

    def start_recording(self, call_sid: str, status_callback: str) -> str:
        recording_sid = "RE" + uuid.uuid4().hex
        self._push(keys.simulated_recording(call_sid), {"recording_sid": recording_sid,
                                                        "status": "in-progress",
                                                        "status_callback": status_callback})
        return recording_sid

    def set_recording(self, call_sid: str, status: str) -> None:
        self._push(keys.simulated_recording(call_sid), {"status": status})

    def take_redirect(self, call_sid: str) -> dict[str, Any] | None:
        """The oldest redirect of `call_sid` nobody has taken yet, taken now."""
        raw = self.redis.lpop(keys.simulated_redirects(call_sid))
        return json.loads(raw) if isinstance(raw, (bytes, str)) else None

    def take_messages_to(self, to: str) -> list[dict[str, Any]]:
        """The texts sent to `to` that nobody has read yet, oldest first, taken now."""
        taken = []
        for raw in self.redis.lrange(keys.simulated_messages(), 0, -1):
            sent: dict[str, Any] = json.loads(raw)
            if sent.get("to") == to and self.redis.lrem(keys.simulated_messages(), 1,
                                                       text(raw)):
                taken.append(sent)
        return taken

    def take_call_to(self, to: str) -> dict[str, Any] | None:
        """The oldest call placed to `to` that nobody has answered yet, taken now."""
        for raw in self.redis.lrange(keys.simulated_calls(), 0, -1):
            placed: dict[str, Any] = json.loads(raw)
            if placed.get("to") == to and self.redis.lrem(keys.simulated_calls(), 1, text(raw)):
                return placed
        return None

    def _push(self, key: str, item: dict[str, Any]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.rpush(key, json.dumps(item))
        pipe.expire(key, SIMULATED_TTL)
        pipe.execute()


SIMULATED_TTL = 24 * 3600
"""Seconds requests left for the simulator are kept."""


def telephony_for(settings: Settings, client: redis.Redis) -> Telephony:
    """Twilio (or its mock at TWILIO_API_BASE_URL) when configured; else the simulator."""
    if settings.uses_dev_credentials and not settings.twilio_api_base_url:
        return SimulatedTelephony(client)
    return TwilioTelephony(settings.twilio_account_sid, settings.twilio_auth_token,
                           settings.twilio_api_base_url)
