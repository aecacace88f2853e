"""Agents: who they are, how to reach them, what they can handle, and their presence.

An agent is reached at a phone number (E.164) or a Twilio Client identity (`client:<name>`).
Their tier (L1 < L2 < L3) and skills decide which waiting tasks they may take: a task needs a
tier at most the agent's and a subset of their skills. Presence (available, busy, wrap-up,
offline) lives with the queue store, whose scripts change it atomically with assignments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import phonenumbers
import redis

from core import keys
from core.errors import InvalidInput
from core.redis_values import text, text_map

TIERS = ("L1", "L2", "L3")
DEFAULT_WRAP_UP = 30
"""Seconds an agent stays in wrap-up after a call before they are offered the next one."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SKILL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_CLIENT = re.compile(r"^client:[A-Za-z0-9_.@-]{1,121}$")


class AgentStatus(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    WRAP_UP = "wrap-up"
    OFFLINE = "offline"


SETTABLE = (AgentStatus.AVAILABLE, AgentStatus.WRAP_UP, AgentStatus.OFFLINE)
"""Statuses an agent (or the API) may set; `busy` comes only from an assignment."""


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    reach: str
    tier: str
    skills: tuple[str, ...]
    wrap_up: int = DEFAULT_WRAP_UP

    @property
    def is_client(self) -> bool:
        """Reached through Twilio Client (a softphone) rather than a phone number."""
        return self.reach.startswith("client:")

    @property
    def client_identity(self) -> str:
        return self.reach.removeprefix("client:")


@dataclass(frozen=True)
class Presence:
    """An agent's status, since when (epoch seconds), why (if set with a reason) and task."""

    status: AgentStatus
    since: float
    reason: str
    task: str | None


def agent_from(agent_id: str, body: Mapping[str, Any], default_region: str) -> Agent:
    """An agent from an API body, every field checked; InvalidInput names the first bad one."""
    if not _ID.match(agent_id):
        raise InvalidInput("agent_id", "letters, digits, '.', '_' or '-', at most 64")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("name", "a non-empty string is required")
    tier = body.get("tier")
    if tier not in TIERS:
        raise InvalidInput("tier", f"must be one of {', '.join(TIERS)}")
    wrap_up = body.get("wrap_up_seconds", DEFAULT_WRAP_UP)
    if isinstance(wrap_up, bool) or not isinstance(wrap_up, int) or not 0 <= wrap_up <= 3600:
        raise InvalidInput("wrap_up_seconds", "an integer from 0 to 3600 is required")
    return Agent(agent_id, name.strip(), _reach(body.get("reach"), default_region), tier,
                 _skills(body.get("skills", [])), wrap_up)


def _reach(value: Any, default_region: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("reach", "a phone number or 'client:<identity>' is required")
    reach: str = value.strip()
    if reach.startswith("client:"):
        if not _CLIENT.match(reach):
            raise InvalidInput("reach", "a client identity is letters, digits, '_.@-'")
        return reach
    try:
        number = phonenumbers.parse(reach, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput("reach", f"{reach!r} is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("reach", f"{reach!r} is not a valid phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _skills(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise InvalidInput("skills", "a list of skill names is required")
    for skill in value:
        if not _SKILL.match(skill):
            raise InvalidInput("skills", f"{skill!r}: lower-case letters, digits, '_' or '-'")
    return tuple(sorted(set(value)))


class AgentRegistry:
    """Registered agents in Redis: profile hash, skills set, and the set of every agent id."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def register(self, agent: Agent, at: float) -> bool:
        """Add or update an agent; a new one starts offline. True when the agent is new.
        Changing a busy agent's skills or tier applies from their next task."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.sadd(keys.agents(), agent.id)
        pipe.hset(keys.agent(agent.id), mapping={
            "name": agent.name, "reach": agent.reach, "tier": agent.tier,
            "wrap_up": agent.wrap_up})
        pipe.hsetnx(keys.agent(agent.id), "status", AgentStatus.OFFLINE.value)
        pipe.hsetnx(keys.agent(agent.id), "since", at)
        pipe.delete(_skills_key(agent.id))
        if agent.skills:
            pipe.sadd(_skills_key(agent.id), *agent.skills)
        return bool(pipe.execute()[0])

    def get(self, agent_id: str) -> Agent | None:
        raw = text_map(self.redis.hgetall(keys.agent(agent_id)))
        if "tier" not in raw:
            return None
        skills = sorted(text(s) for s in self.redis.smembers(_skills_key(agent_id)))
        return _agent(agent_id, raw, skills)

    def presence(self, agent_id: str) -> Presence | None:
        raw = text_map(self.redis.hgetall(keys.agent(agent_id)))
        return _presence(raw) if "tier" in raw else None

    def all(self) -> list[tuple[Agent, Presence]]:
        """Every registered agent with their presence, by id."""
        ids = sorted(text(i) for i in self.redis.smembers(keys.agents()))
        pipe = self.redis.pipeline(transaction=False)
        for agent_id in ids:
            pipe.hgetall(keys.agent(agent_id))
            pipe.smembers(_skills_key(agent_id))
        found = pipe.execute()
        return [(_agent(agent_id, text_map(raw), sorted(text(s) for s in skills)),
                 _presence(text_map(raw)))
                for agent_id, raw, skills in zip(ids, found[::2], found[1::2], strict=True)
                if raw]

    def staffed(self, tier: str, skills: Iterable[str]) -> list[tuple[Agent, Presence]]:
        """Agents signed in (not offline) who could take a task of `tier` needing `skills`."""
        return [(agent, presence) for agent, presence in self.all()
                if presence.status is not AgentStatus.OFFLINE and covers(agent, tier, skills)]


def covers(agent: Agent, tier: str, skills: Iterable[str]) -> bool:
    """The same eligibility rule as the queue store's scripts."""
    return agent.tier >= tier and set(skills) <= set(agent.skills)


def recent_enough(updated_at: str | None, now: datetime, window: int) -> bool:
    """Whether the ticket's last agent is still the caller's agent (within `window` s)."""
    if not updated_at:
        return False
    try:
        then = datetime.fromisoformat(updated_at)
    except ValueError:
        return False
    return (now - then).total_seconds() <= window


def _agent(agent_id: str, raw: Mapping[str, str], skills: Sequence[str]) -> Agent:
    return Agent(agent_id, raw.get("name", agent_id), raw.get("reach", ""),
                 raw.get("tier", "L1"), tuple(skills), int(raw.get("wrap_up", DEFAULT_WRAP_UP)))


def _presence(raw: Mapping[str, str]) -> Presence:
    return Presence(AgentStatus(raw.get("status", "offline")), float(raw.get("since") or 0),
                    raw.get("reason", ""), raw.get("call") or None)


def _skills_key(agent_id: str) -> str:
    return keys.agent(agent_id) + ":skills"
