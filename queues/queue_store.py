"""Waiting callers and available agents in Redis, changed only by atomic Lua scripts, so that
with any number of web processes and workers racing, a caller is never assigned twice and an
agent never gets two callers at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import redis

from core import keys
from core.redis_values import text
from queues.ageing import rank

# Agents are eligible for a task when their tier is at least the task's ("L1" < "L2" < "L3")
# and they have every skill it needs. The repeat caller's preferred agent is tried first.
# KEYS: available zset, agent hash prefix, assignment log. ARGV: task, tier, skills, preferred.
_PICK_AGENT = """
local function eligible(agent, tier, skills)
  local info = redis.call('HMGET', KEYS[2] .. agent, 'status', 'tier')
  if info[1] ~= 'available' or (info[2] or '') < tier then return false end
  for skill in string.gmatch(skills, '%S+') do
    if redis.call('SISMEMBER', KEYS[2] .. agent .. ':skills', skill) == 0 then return false end
  end
  return true
end
local function pick_agent(task, tier, skills, preferred)
  local chosen = nil
  if preferred ~= '' and redis.call('ZSCORE', KEYS[1], preferred)
     and eligible(preferred, tier, skills) then
    chosen = preferred
  else
    for _, agent in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
      if eligible(agent, tier, skills) then chosen = agent; break end
    end
  end
  if chosen == nil then return nil end
  redis.call('ZREM', KEYS[1], chosen)
  redis.call('HSET', KEYS[2] .. chosen, 'status', 'busy', 'call', task)
  redis.call('RPUSH', KEYS[3], chosen .. ' ' .. task)
  return chosen
end
"""

_CLAIM = _PICK_AGENT + """
return pick_agent(ARGV[1], ARGV[2], ARGV[3], ARGV[4]) or false
"""

# KEYS as _PICK_AGENT, then the waiting zset and the task's waiting hash.
_ARRIVE = _PICK_AGENT + """
local task, queue, tier, skills, preferred = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('ZSCORE', KEYS[4], task) then
  return {'waiting', tostring(redis.call('ZRANK', KEYS[4], task) + 1)}
end
local agent = pick_agent(task, tier, skills, preferred)
if agent then return {'agent', agent} end
redis.call('ZADD', KEYS[4], 'NX', ARGV[6], task)
redis.call('HSET', KEYS[5], 'queue', queue, 'tier', tier, 'skills', skills,
           'arrived', ARGV[7], 'rank', ARGV[6])
return {'waiting', tostring(redis.call('ZRANK', KEYS[4], task) + 1)}
"""

# KEYS: agent hash, available zset, assignment log, then the waiting zsets the agent serves.
_NEXT_FOR_AGENT = """
if redis.call('HGET', KEYS[1], 'status') ~= 'available' then return false end
local best, best_rank, best_key = nil, nil, nil
for i = 4, #KEYS do
  local head = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  if head[1] and (best_rank == nil or tonumber(head[2]) < best_rank) then
    best, best_rank, best_key = head[1], tonumber(head[2]), KEYS[i]
  end
end
if best == nil then return false end
redis.call('ZREM', best_key, best)
redis.call('DEL', ARGV[2] .. best)
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'busy', 'call', best)
redis.call('RPUSH', KEYS[3], ARGV[1] .. ' ' .. best)
return best
"""

# KEYS: agent hash, skills set, available zset, assignment log.
# ARGV: agent, tier, idle since, call being finished ('' to sign in), skills...
_READY = """
local status, current = unpack(redis.call('HMGET', KEYS[1], 'status', 'call'))
if status == 'busy' and (ARGV[4] == '' or ARGV[4] ~= current) then return 0 end
if status ~= 'busy' and ARGV[4] ~= '' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'available', 'tier', ARGV[2], 'call', '')
redis.call('DEL', KEYS[2])
if #ARGV > 4 then redis.call('SADD', KEYS[2], unpack(ARGV, 5, #ARGV)) end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
if ARGV[4] ~= '' then redis.call('RPUSH', KEYS[4], ARGV[1] .. ' ' .. ARGV[4] .. ' done') end
return 1
"""

# KEYS: agent hash, available zset, assignment log. ARGV: agent, task, idle since.
_RELEASE = """
if redis.call('HGET', KEYS[1], 'call') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'status', 'available', 'call', '')
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('RPUSH', KEYS[3], ARGV[1] .. ' ' .. ARGV[2] .. ' done')
return 1
"""

_ABANDON = """
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return removed
"""

ASSIGNMENTS = keys.PREFIX + ":assignments"
"""List of `agent call` pairs in the order assignments were made (audit and tests)."""


@dataclass(frozen=True)
class Arrival:
    """Where an arriving caller went: straight to an agent, or into the queue at a position."""

    agent: str | None
    position: int | None


class QueueStore:
    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._arrive = client.register_script(_ARRIVE)
        self._claim = client.register_script(_CLAIM)
        self._next = client.register_script(_NEXT_FOR_AGENT)
        self._abandon = client.register_script(_ABANDON)
        self._ready = client.register_script(_READY)
        self._release = client.register_script(_RELEASE)

    def arrive(self, call_sid: str, queue: str, tier: str, skills: Sequence[str],
               priority: str, arrived_at: float, preferred_agent: str | None = None) -> Arrival:
        """Give the caller an eligible available agent now, else a place in `queue:tier`."""
        name = f"{queue}:{tier}"
        answer = self._arrive(
            keys=[keys.agents_available(), keys.agent(""), ASSIGNMENTS,
                  keys.queue_waiting(name), keys.waiting_caller(call_sid)],
            args=[call_sid, name, tier, " ".join(skills), preferred_agent or "",
                  rank(arrived_at, priority), arrived_at])
        kind, value = text(answer[0]), text(answer[1])
        return Arrival(agent=value, position=None) if kind == "agent" \
            else Arrival(agent=None, position=int(value))

    def claim_agent(self, task: str, tier: str, skills: Sequence[str],
                    preferred_agent: str | None = None) -> str | None:
        """Reserve an eligible available agent for `task` (a callback about to be dialled, say):
        the preferred one if eligible, else the longest idle; None when nobody is free. The
        agent is busy with `task` until `finish(agent, task, ...)`."""
        answer = self._claim(
            keys=[keys.agents_available(), keys.agent(""), ASSIGNMENTS],
            args=[task, tier, " ".join(skills), preferred_agent or ""])
        return text(answer) if answer else None

    def release(self, agent_id: str, task: str, at: float) -> bool:
        """Give back an agent reserved for `task` that never connected (the customer did not
        answer): available again at once, idle since `at`. False unless they hold `task`."""
        return bool(self._release(keys=[keys.agent(agent_id), keys.agents_available(),
                                        ASSIGNMENTS], args=[agent_id, task, at]))

    def next_for_agent(self, agent_id: str, queues: Sequence[str]) -> str | None:
        """Assign the best-ranked caller waiting in `queues` to the (available) agent."""
        answer = self._next(
            keys=[keys.agent(agent_id), keys.agents_available(), ASSIGNMENTS,
                  *[keys.queue_waiting(q) for q in queues]],
            args=[agent_id, keys.waiting_caller("")])
        return text(answer) if answer else None

    def position(self, call_sid: str, queue: str) -> int | None:
        found: int | None = self.redis.zrank(keys.queue_waiting(queue), call_sid)  # type: ignore[assignment]
        return found + 1 if found is not None else None

    def abandon(self, call_sid: str, queue: str) -> bool:
        """The caller hung up while waiting: out of the queue at once."""
        return bool(self._abandon(keys=[keys.queue_waiting(queue),
                                        keys.waiting_caller(call_sid)], args=[call_sid]))

    def waiting(self, queue: str) -> int:
        return int(self.redis.zcard(keys.queue_waiting(queue)))

    def sign_in(self, agent_id: str, tier: str, skills: Sequence[str], at: float) -> bool:
        """Make an agent available (idle since `at`); refused while they are on a call."""
        return self._set_ready(agent_id, tier, skills, at, "")

    def finish(self, agent_id: str, call_sid: str, tier: str, skills: Sequence[str],
               at: float) -> bool:
        """The agent is done with `call_sid` and available again; refused unless that is the
        call they hold, so a late or repeated release never frees them from a newer call."""
        return self._set_ready(agent_id, tier, skills, at, call_sid)

    def _set_ready(self, agent_id: str, tier: str, skills: Sequence[str], at: float,
                   finishing: str) -> bool:
        return bool(self._ready(
            keys=[keys.agent(agent_id), keys.agent_skills(agent_id), keys.agents_available(),
                  ASSIGNMENTS],
            args=[agent_id, tier, at, finishing, *skills]))
