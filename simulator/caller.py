"""The caller simulator: places a call into a Hotline server exactly as Twilio would.

It signs every form post like Twilio, plays the TwiML it gets back (Say, Play, Pause, Gather,
Redirect, Enqueue, Dial, Record, Hangup) and answers each Gather from a script of inputs or
from the keyboard. Tests, docs and admins all use it; `hotline call` is its command line.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin

from twilio.request_validator import RequestValidator

from core.routing import Routing
from simulator.inputs import HangUp, Input, Reply, Silence, keyboard_input
from simulator.player import HOLD_ROUND_SECONDS, CallEnded, Caller, TwimlPlayer

MAX_REQUESTS = 200
"""Requests one simulated call may make before it is cut off (guards against redirect loops)."""

HOLD_POLL_SECONDS = 1.0
"""How often a caller holding without inputs checks whether an agent has taken the call."""


class Transport(Protocol):
    def post(self, url: str, form: dict[str, str], headers: dict[str, str]) -> Reply: ...

    def get(self, url: str, headers: dict[str, str]) -> Reply: ...


@dataclass
class CallResult:
    call_sid: str
    heard: list[str] = field(default_factory=list)
    ended_by: str = ""
    ok: bool = True


class CallSimulator:
    """One simulated inbound call from `caller` to `called` against the server at `base_url`."""

    def __init__(self, transport: Transport, base_url: str, auth_token: str,
                 caller: str = "+14155550123", called: str = "+18005550100",
                 inputs: list[Input] | None = None,
                 ask: Callable[[str], str] | None = None,
                 out: Callable[[str], None] = print, call_sid: str | None = None,
                 admin_token: str | None = None, hold_seconds: float = 0.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.transport = transport
        self.base_url = base_url.rstrip("/")
        self.validator = RequestValidator(auth_token)
        self.call_sid = call_sid or "CA" + uuid.uuid4().hex
        self.caller, self.called = caller, called
        self.out = out
        self._inputs: Iterator[Input] = iter(inputs or [])
        self._ask = ask
        self._requests = 0
        self.result = CallResult(self.call_sid)
        self.admin_token = admin_token
        self._hold_left = hold_seconds
        self._pending_redirect: str | None = None
        self._sleep = sleep

    def run(self) -> CallResult:
        """Place the call, play it to the end, then post the completed status callback."""
        player = TwimlPlayer(_Link(self), self._show)
        try:
            player.play(self.base_url + "/voice/incoming", {"CallStatus": "ringing"})
        except CallEnded as ended:
            self.result.ended_by = str(ended)
        self.result.ok = not self.result.ended_by.startswith("error")
        self.post(self.base_url + "/voice/status",
                  {"CallStatus": "completed", "CallDuration": str(self._requests * 5)})
        return self.result

    def next_input(self, prompt: str) -> Input:
        scripted = next(self._inputs, None)
        if scripted is not None:
            return scripted
        if self._ask is None:
            return HangUp()
        try:
            return keyboard_input(self._ask(prompt))
        except EOFError:
            return HangUp()

    def hold_input(self, prompt: str) -> Input:
        """At a hold announcement: a scripted input if one is left, else listen through one
        announcement's wait (up to the caller's patience), checking every second whether an
        agent has taken the call; hang up once patience runs out."""
        scripted = next(self._inputs, None)
        if scripted is not None:
            return scripted
        if self._ask is not None:
            return self.next_input(prompt)
        waited = 0.0
        while self._hold_left > 0 and waited < HOLD_ROUND_SECONDS:
            if self._pending_redirect is None:
                self._pending_redirect = self._poll_redirect()
            if self._pending_redirect is not None:
                return Silence()
            self._sleep(HOLD_POLL_SECONDS)
            self._hold_left -= HOLD_POLL_SECONDS
            waited += HOLD_POLL_SECONDS
        return Silence() if waited else HangUp()

    def redirected(self) -> str | None:
        """A redirect Hotline made of this call through the simulated network, if any."""
        found, self._pending_redirect = self._pending_redirect or self._poll_redirect(), None
        return found

    def _poll_redirect(self) -> str | None:
        if self.admin_token is None:
            return None
        reply = self.transport.post(
            f"{self.base_url}/api/v1/simulator/calls/{self.call_sid}/redirects/next", {},
            {"Authorization": f"Bearer {self.admin_token}"})
        if reply.status != 200:
            return None
        return str(json.loads(reply.body)["url"])

    def post(self, url: str, extra: dict[str, str]) -> Reply:
        self._requests += 1
        if self._requests > MAX_REQUESTS:
            raise CallEnded(f"error: more than {MAX_REQUESTS} requests; stopped")
        form = {**self._form(), **extra}
        headers = {
            "X-Twilio-Signature": self.validator.compute_signature(url, form),
            "I-Twilio-Idempotency-Token": uuid.uuid4().hex,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return self.transport.post(url, form, headers)

    def resolve(self, current: str, url: str) -> str:
        return urljoin(current, url)

    def _form(self) -> dict[str, str]:
        return {
            "CallSid": self.call_sid, "AccountSid": "AC" + "0" * 32, "From": self.caller,
            "To": self.called, "Caller": self.caller, "Called": self.called,
            "CallStatus": "in-progress", "Direction": "inbound", "ApiVersion": "2010-04-01",
        }

    def _show(self, line: str) -> None:
        self.result.heard.append(line)
        self.out(line)


class _Link(Caller):
    """What the TwiML player needs from the simulated phone call."""

    def __init__(self, sim: CallSimulator) -> None:
        self.sim = sim

    def post(self, url: str, form: dict[str, str]) -> Reply:
        return self.sim.post(url, form)

    def answer(self, prompt: str) -> Input:
        return self.sim.next_input(prompt)

    def resolve(self, current: str, url: str) -> str:
        return self.sim.resolve(current, url)

    def answer_on_hold(self, prompt: str) -> Input:
        return self.sim.hold_input(prompt)

    def redirected(self) -> str | None:
        return self.sim.redirected()


def fetch_transcript(transport: Transport, base_url: str, call_sid: str,
                     admin_token: str | None) -> list[str]:
    """The call's transcript and routing decision from the calls API, as printable lines."""
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    reply = transport.get(f"{base_url.rstrip('/')}/api/v1/calls/{call_sid}", headers)
    if reply.status != 200:
        return [f"(no transcript: the calls API answered HTTP {reply.status}: {reply.body[:200]})"]
    return format_transcript(json.loads(reply.body))


def format_transcript(data: dict[str, Any]) -> list[str]:
    lines = [f"Transcript of {data['call']['call_sid']}:"]
    for entry in data["transcript"]:
        at = str(entry["at"])[11:23]
        lines.append(f"  {at}  {entry['kind']:<10} {entry['text']}")
    stored = data["call"].get("decision")
    if stored:
        routing = Routing.from_dict(stored)
        lines.append(
            f"Routing decision: issue={routing.issue} priority={routing.priority} "
            f"tier={routing.tier} queue={routing.queue or '-'} "
            f"skills={','.join(routing.skills) or '-'} outcome={routing.outcome}"
        )
    else:
        lines.append("Routing decision: none (the caller left the menu before one was made)")
    return lines
