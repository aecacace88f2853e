"""The caller simulator's phone ringing back: without Twilio, Hotline hands each outbound call
to the simulated phone network (core.telephony.SimulatedTelephony, served to the simulator by
simulator.network_api); this picks up the one for the simulated caller's number and plays it as
Twilio would: status callbacks (initiated, ringing, completed) around the answered call's
TwiML, answered by a person."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from simulator.caller import CallResult, CallSimulator, Transport, _Link
from simulator.player import CallEnded, TwimlPlayer

POLL_SECONDS = 0.25


def wait_for_call(transport: Transport, base_url: str, admin_token: str | None, to: str,
                  timeout: float, sleep: Callable[[float], None] = time.sleep
                  ) -> dict[str, Any] | None:
    """The next outbound call Hotline placed to `to` within `timeout` seconds, taken off the
    simulated network (calls to other numbers stay there, for their own simulated callers)."""
    url = f"{base_url.rstrip('/')}/api/v1/simulator/outbound/next?{urlencode({'to': to})}"
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = transport.post(url, {}, headers)
        if reply.status == 200:
            placed: dict[str, Any] = json.loads(reply.body)
            return placed
        if reply.status != 204:
            raise CallEnded(f"error: the simulated network answered HTTP {reply.status}: "
                            f"{reply.body[:200]}")
        sleep(POLL_SECONDS)
    return None


class RingingBack(CallSimulator):
    """An outbound call from Hotline, answered by the simulated caller."""

    def __init__(self, transport: Transport, auth_token: str, placed: dict[str, Any],
                 out: Callable[[str], None] = print) -> None:
        super().__init__(transport, placed["url"].split("/callbacks/", 1)[0], auth_token,
                         caller=placed["to"], called=placed["from_"], out=out,
                         call_sid=placed["call_sid"])
        self.placed = placed

    def run(self) -> CallResult:
        status_url = self.placed["status_callback"]
        for status in ("initiated", "ringing"):
            self.post(status_url, {"CallStatus": status, "Direction": "outbound-api"})
        player = TwimlPlayer(_Link(self), self._show)
        try:
            player.play(self.placed["url"], {"AnsweredBy": "human",
                                             "Direction": "outbound-api"})
        except CallEnded as ended:
            self.result.ended_by = str(ended)
        self.result.ok = not self.result.ended_by.startswith("error")
        self.post(status_url, {"CallStatus": "completed", "Direction": "outbound-api",
                               "CallDuration": str(self._requests * 5)})
        return self.result
