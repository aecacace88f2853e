"""Test support for callbacks: a runtime on the test Redis with Twilio's REST API mocked by
Prism (or the simulator), a clock the test moves, and schedules kept for the test to run."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import redis

from callbacks.pacing import Pacer
from callbacks.record import Callback, Mode
from callbacks.runtime import Runtime
from callbacks.store import CallbackStore
from core.call_status import CallStatus
from core.clock import FixedClock
from core.events import Event, EventKind
from core.routing import Routing
from core.session import CallSession, SessionStore
from core.settings import CallbackSettings, Settings
from core.telephony import SimulatedTelephony, Telephony, TwilioTelephony
from queues.agents import Agent, AgentRegistry
from queues.queue_store import QueueStore
from tests.twilio_rest import ACCOUNT_SID, RecordingHttpClient

# A Tuesday, 15:00 UTC: 10 in the morning in New York, 7 in San Francisco.
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
CALLER = "+12125550123"
AGENT_NUMBER = "+18005550100"


@dataclass
class Scheduled:
    """`dial_due` jobs the runtime asked for, in order."""

    items: list[tuple[str, datetime]] = field(default_factory=list)

    def __call__(self, callback_id: str, at: datetime) -> None:
        self.items.append((callback_id, at))


def make_runtime(client: redis.Redis, twilio_api: str | None = None,
                 clock: FixedClock | None = None, account_sid: str = ACCOUNT_SID,
                 **callbacks: Any) -> tuple[Runtime, Scheduled]:
    settings = Settings(public_url="https://hotline.example",
                        callbacks=replace(CallbackSettings(cps=1000.0), **callbacks))
    telephony: Telephony
    if twilio_api:
        telephony = TwilioTelephony(account_sid, "token", http_client=RecordingHttpClient(
            twilio_api))
    else:
        telephony = SimulatedTelephony(client)
    scheduled = Scheduled()
    rt = Runtime(settings=settings, redis=client, store=CallbackStore(client),
                 sessions=SessionStore(client, 3600), telephony=telephony,
                 queues=QueueStore(client), pacer=Pacer(client, settings.callbacks.cps),
                 clock=clock or FixedClock(NOW), schedule=scheduled)
    return rt, scheduled


def sent(rt: Runtime) -> list[Any]:
    assert isinstance(rt.telephony, TwilioTelephony)
    http = rt.telephony.client.http_client
    assert isinstance(http, RecordingHttpClient)
    return http.sent


def open_call(sessions: SessionStore, call_sid: str = "CAorigin", caller: str = CALLER,
              **decision: Any) -> CallSession:
    """An inbound call routed to a queue, as the IVR leaves it."""
    session = CallSession(call_sid=call_sid, caller=caller, region="US",
                          timezone="America/New_York", called=AGENT_NUMBER, language="en",
                          routing=Routing.from_dict({
                              "issue": "billing/dispute", "queue": "billing", "tier": "L1",
                              "skills": ["billing"], "priority": "normal", **decision}),
                          status=CallStatus.ROUTED, started_at="2026-11-24T14:55:00.000Z")
    started = Event(NOW, EventKind.CALL, "Call started", {"event": "started"})
    assert sessions.commit(session, [started], "start", "")
    return session


def wanted(callback_id: str = "cb1", mode: Mode = Mode.ASAP, due_at: float | None = None,
           **changes: Any) -> Callback:
    now = NOW.timestamp()
    record = Callback(id=callback_id, phone=CALLER, issue="billing/dispute", queue="billing",
                      tier="L1", skills=("billing",), priority="normal", language="en",
                      origin_call="CAorigin", mode=mode, due_at=due_at or now,
                      arrived_at=now - 300, timezone="America/New_York", created_at=now,
                      from_number=AGENT_NUMBER)
    return record.evolve(**changes)


def transcript(sessions: SessionStore, call_sid: str = "CAorigin") -> list[str]:
    return [e["text"] for e in sessions.events(call_sid) if e["kind"] == "callback"]


def available(client: redis.Redis, agent_id: str, tier: str, skills: list[str],
              since: float) -> None:
    """A registered agent, available (idle since `since`)."""
    AgentRegistry(client).register(Agent(agent_id, agent_id.title(), f"client:{agent_id}",
                                         tier, tuple(skills)), since)
    assert QueueStore(client).set_status(agent_id, "available", since) == 1
