"""Queue fixtures: a queue store on the test Redis and a way to put agents on shift."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence

import pytest
import redis
from flask import Flask

from core.deps import EXTENSION
from core.telephony import SimulatedTelephony
from queues.agents import Agent, AgentRegistry
from queues.queue_store import QueueStore
from tests.ivr_app import make_app

Staff = Callable[..., None]


def put_on_shift(client: redis.Redis, agent_id: str, tier: str, skills: Sequence[str],
                 since: float, reach: str = "") -> None:
    """Register an agent and make them available, idle since `since`."""
    AgentRegistry(client).register(
        Agent(agent_id, agent_id.title(), reach or f"client:{agent_id}", tier, tuple(skills)),
        since)
    assert QueueStore(client).set_status(agent_id, "available", since) == 1


@pytest.fixture
def app(redis_url: str) -> Iterator[Flask]:
    """A Hotline app whose REST calls to Twilio go to the simulated network (Redis lists)."""
    app = make_app(redis_url)
    d = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = dataclasses.replace(d, telephony=SimulatedTelephony(d.redis))
    yield app


@pytest.fixture
def store(redis_client: redis.Redis) -> QueueStore:
    return QueueStore(redis_client)


@pytest.fixture
def staff(redis_client: redis.Redis) -> Staff:
    def on_shift(agent_id: str, tier: str, skills: Sequence[str], since: float) -> None:
        put_on_shift(redis_client, agent_id, tier, skills, since)
    return on_shift
