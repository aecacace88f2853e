"""The caller simulator on hold, as `hotline call` uses it without Twilio: it hears the hold
announcements, and when an agent frees up Hotline's REST redirect (through the simulated
network) takes it out of the queue to the agent, whose whisper it shows."""

from __future__ import annotations

from flask import Flask

from core.deps import EXTENSION
from queues.queue_store import QueueStore
from simulator.caller import CallSimulator
from simulator.inputs import Press
from simulator.transports import FlaskTransport
from tests.ivr_app import ADMIN_TOKEN
from tests.queues.conftest import put_on_shift
from tests.twilio_requests import AUTH_TOKEN, PUBLIC_URL

T0 = 1_700_000_000.0


def test_a_holding_caller_is_taken_to_the_agent_who_frees_up(app: Flask) -> None:
    redis = app.extensions[EXTENSION].redis
    put_on_shift(redis, "ana", "L1", ["billing"], T0)
    QueueStore(redis).claim_agent("cb:busy", "L1", ["billing"])
    web = app.test_client()

    def time_passes(seconds: float) -> None:  # ana finishes her call while the caller holds
        QueueStore(redis).release("ana", "cb:busy", T0 + 60)
        QueueStore(redis).set_status("ana", "offline", T0 + 60)
        web.post("/api/v1/agents/ana/status", json={"status": "available"},
                 headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    shown: list[str] = []
    sim = CallSimulator(FlaskTransport(web, PUBLIC_URL), PUBLIC_URL, AUTH_TOKEN,
                        inputs=[Press("1"), Press("1"), Press("1")], out=shown.append,
                        admin_token=ADMIN_TOKEN, hold_seconds=30, sleep=time_passes)
    result = sim.run()
    assert any(line.startswith("Hotline says (en-US): An agent will be with you shortly")
               for line in shown)
    assert "[taken out of the queue]" in shown
    assert "[dialling ana]" in shown
    [whisper] = [line for line in shown if line.startswith("Agent hears:")]
    assert "billing, dispute" in whisper
    assert result.ok


def test_a_holding_caller_who_presses_1_goes_to_the_callback_offer(app: Flask) -> None:
    redis = app.extensions[EXTENSION].redis
    put_on_shift(redis, "ana", "L1", ["billing"], T0)
    QueueStore(redis).claim_agent("cb:busy", "L1", ["billing"])
    shown: list[str] = []
    sim = CallSimulator(FlaskTransport(app.test_client(), PUBLIC_URL), PUBLIC_URL, AUTH_TOKEN,
                        inputs=[Press("1"), Press("1"), Press("1"), Press("1")],
                        out=shown.append, admin_token=ADMIN_TOKEN)
    sim.run()
    assert "Caller presses 1" in shown[shown.index("[waiting in queue billing]"):]
    assert QueueStore(redis).waiting("billing:L1:billing") == 0
    transcript = [e["text"] for e in app.extensions[EXTENSION].sessions.events(sim.call_sid)]
    assert "Pressed 1 on hold: asked for a callback" in transcript
