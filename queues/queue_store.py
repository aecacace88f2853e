"""Waiting callers and agents' presence in Redis, changed only by atomic Lua scripts, so that
with any number of web processes and workers racing, a caller is never assigned twice and an
agent never gets two callers at once.

A *task* is what waits and what an agent is given: a live caller (its CallSid) or a callback
(`cb:<id>`). Tasks wait in *sets*, one per queue, tier and skill set (`billing:L2:refunds`),
ranked by `ageing.rank`; an agent takes from every set whose tier and skills they cover. Each
assignment gets a number, unique and increasing, which webhooks use as the step of connecting
that task to that agent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import redis

from core import keys
from core.redis_values import text, text_map
from queues.ageing import rank

ASSIGNMENT_LOG_LENGTH = 100_000
"""Most recent assignments and releases kept in the audit log."""

ASSIGNED_TTL = 24 * 3600
"""Seconds a task's assignment record is kept after it was made."""

# Every script gets the same five keys first: available agents, the agent hash prefix, the
# assignment log, the assignment record prefix and the assignment counter.
_PRELUDE = """
local AVAILABLE, AGENT, LOG, ASSIGNED, SEQ = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local function log(line)
  redis.call('RPUSH', LOG, line)
  redis.call('LTRIM', LOG, -tonumber(ARGV[#ARGV]), -1)
end
-- Agents are eligible for a task when their tier is at least the task's ("L1" < "L2" < "L3")
-- and they have every skill it needs.
local function covers(agent, tier, skills)
  local info = redis.call('HMGET', AGENT .. agent, 'tier')
  if (info[1] or '') < tier then return false end
  for skill in string.gmatch(skills, '%S+') do
    if redis.call('SISMEMBER', AGENT .. agent .. ':skills', skill) == 0 then return false end
  end
  return true
end
local function eligible(agent, tier, skills)
  return redis.call('HGET', AGENT .. agent, 'status') == 'available'
         and covers(agent, tier, skills)
end
local function assign(agent, task, now)
  redis.call('ZREM', AVAILABLE, agent)
  redis.call('HSET', AGENT .. agent, 'status', 'busy', 'call', task, 'since', now)
  local n = redis.call('INCR', SEQ)
  redis.call('HSET', ASSIGNED .. task, 'agent', agent, 'n', n, 'at', now, 'ended', '')
  redis.call('EXPIRE', ASSIGNED .. task, 86400)
  log(agent .. ' ' .. task)
  return n
end
-- The task's live assignment, if an agent still holds it.
local function held(task)
  local a = redis.call('HMGET', ASSIGNED .. task, 'agent', 'n')
  if a[1] and redis.call('HGET', AGENT .. a[1], 'call') == task then return a end
  return nil
end
-- When tasks left a set for an agent (newest first), for the wait estimate's service rate.
local function served(prefix, set, now)
  redis.call('LPUSH', prefix .. set .. ':served', now)
  redis.call('LTRIM', prefix .. set .. ':served', 0, 49)
end
local function pick_agent(task, tier, skills, preferred, now)
  local chosen = nil
  if preferred ~= '' and redis.call('ZSCORE', AVAILABLE, preferred)
     and eligible(preferred, tier, skills) then
    chosen = preferred
  else
    for _, agent in ipairs(redis.call('ZRANGE', AVAILABLE, 0, -1)) do
      if eligible(agent, tier, skills) then chosen = agent; break end
    end
  end
  if chosen == nil then return nil end
  return {chosen, assign(chosen, task, now)}
end
"""

# ARGV: task, tier, skills, preferred, now, log length.
_CLAIM = _PRELUDE + """
local picked = pick_agent(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
if picked == nil then return false end
return picked
"""

# KEYS (after the prelude's): waiting zset, waiting hash, set registry, set description,
# waiting zset prefix.
# ARGV: task, set, queue, tier, skills, priority, arrived, rank, preferred, now, log length.
_ARRIVE = _PRELUDE + """
local task = ARGV[1]
local existing = held(task)
if existing then return {'agent', existing[1], existing[2]} end
if redis.call('ZSCORE', KEYS[6], task) then
  return {'waiting', tostring(redis.call('ZRANK', KEYS[6], task) + 1)}
end
local picked = pick_agent(task, ARGV[4], ARGV[5], ARGV[9], ARGV[10])
if picked then
  served(KEYS[10], ARGV[2], ARGV[10])
  return {'agent', picked[1], picked[2]}
end
redis.call('ZADD', KEYS[6], ARGV[8], task)
redis.call('HSET', KEYS[7], 'set', ARGV[2], 'queue', ARGV[3], 'tier', ARGV[4],
           'skills', ARGV[5], 'priority', ARGV[6], 'arrived', ARGV[7], 'rank', ARGV[8])
redis.call('SADD', KEYS[8], ARGV[2])
redis.call('HSET', KEYS[9], 'tier', ARGV[4], 'skills', ARGV[5])
return {'waiting', tostring(redis.call('ZRANK', KEYS[6], task) + 1)}
"""

# KEYS (after the prelude's): set registry, waiting zset prefix, waiting hash prefix, set
# description prefix. ARGV: agent, now, log length.
_NEXT_FOR_AGENT = _PRELUDE + """
local agent, now = ARGV[1], ARGV[2]
if redis.call('HGET', AGENT .. agent, 'status') ~= 'available' then return false end
local best, best_rank, best_set = nil, nil, nil
for _, set in ipairs(redis.call('SMEMBERS', KEYS[6])) do
  local meta = redis.call('HMGET', KEYS[9] .. set, 'tier', 'skills')
  if covers(agent, meta[1] or '', meta[2] or '') then
    local head = redis.call('ZRANGE', KEYS[7] .. set .. ':waiting', 0, 0, 'WITHSCORES')
    if head[1] and (best_rank == nil or tonumber(head[2]) < best_rank) then
      best, best_rank, best_set = head[1], tonumber(head[2]), set
    end
  end
end
if best == nil then return false end
redis.call('ZREM', KEYS[7] .. best_set .. ':waiting', best)
redis.call('DEL', KEYS[8] .. best)
served(KEYS[7], best_set, now)
return {best, assign(agent, best, now)}
"""

# ARGV: agent, task, now, next status (available, wrap-up, offline), reason, log length.
_FINISH = _PRELUDE + """
local agent, task, now, status = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', AGENT .. agent, 'call') ~= task then return 0 end
redis.call('HSET', AGENT .. agent, 'status', status, 'call', '', 'since', now,
           'reason', ARGV[5])
if status == 'available' then redis.call('ZADD', AVAILABLE, now, agent) end
redis.call('HSET', ASSIGNED .. task, 'ended', now)
log(agent .. ' ' .. task .. ' done')
return 1
"""

# ARGV: agent, status (available, wrap-up, offline), now, reason, only if in the status
# since (or ''), log length. Refused (0) while the agent holds a task or when their status
# changed since, and (-1) for an agent nobody registered.
_SET_STATUS = _PRELUDE + """
local agent, status, now = ARGV[1], ARGV[2], ARGV[3]
local current = redis.call('HMGET', AGENT .. agent, 'status', 'tier', 'since')
if not current[2] then return -1 end
if current[1] == 'busy' then return 0 end
if ARGV[5] ~= '' and current[3] ~= ARGV[5] then return 0 end
if current[1] == status then return 1 end
redis.call('HSET', AGENT .. agent, 'status', status, 'since', now, 'reason', ARGV[4])
if status == 'available' then
  redis.call('ZADD', AVAILABLE, now, agent)
else
  redis.call('ZREM', AVAILABLE, agent)
end
return 1
"""

# ARGV: agent, task held now, task to hold instead, now, log length.
_HAND_OVER = _PRELUDE + """
local agent, from, to, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', AGENT .. agent, 'call') ~= from then return false end
redis.call('HSET', ASSIGNED .. from, 'ended', now)
redis.call('HSET', AGENT .. agent, 'call', to)
local n = redis.call('INCR', SEQ)
redis.call('HSET', ASSIGNED .. to, 'agent', agent, 'n', n, 'at', now, 'ended', '')
redis.call('EXPIRE', ASSIGNED .. to, 86400)
log(agent .. ' ' .. from .. ' handed over to ' .. to)
return n
"""

# KEYS: waiting hash of the task, waiting zset prefix.
_ABANDON = """
local set = redis.call('HGET', KEYS[1], 'set')
if not set then return 0 end
redis.call('DEL', KEYS[1])
return redis.call('ZREM', KEYS[2] .. set .. ':waiting', ARGV[1])
"""

ASSIGNMENTS = keys.PREFIX + ":assignments"
"""List of `agent task` (assigned) and `agent task done` (released) lines, oldest first."""


@dataclass(frozen=True)
class Arrival:
    """Where an arriving task went: straight to an agent (with the assignment's number), or
    into its set at a position."""

    agent: str | None
    position: int | None
    assignment: int | None = None


@dataclass(frozen=True)
class Assignment:
    """A task given to an agent; `number` orders assignments and names the connecting step."""

    task: str
    agent: str
    number: int
    ended: bool = False


@dataclass(frozen=True)
class Waiting:
    """Where a waiting task is: its set, queue, tier, skills, priority, arrival and position."""

    task: str
    set: str
    queue: str
    tier: str
    skills: tuple[str, ...]
    priority: str
    arrived_at: float
    position: int


def set_name(queue: str, tier: str, skills: Sequence[str]) -> str:
    """The waiting set of tasks for `queue` at `tier` needing exactly `skills`."""
    return f"{queue}:{tier}:{'+'.join(sorted(set(skills)))}"


class QueueStore:
    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._arrive = client.register_script(_ARRIVE)
        self._claim = client.register_script(_CLAIM)
        self._next = client.register_script(_NEXT_FOR_AGENT)
        self._finish = client.register_script(_FINISH)
        self._set_status = client.register_script(_SET_STATUS)
        self._hand_over = client.register_script(_HAND_OVER)
        self._abandon = client.register_script(_ABANDON)

    def arrive(self, call_sid: str, queue: str, tier: str, skills: Sequence[str],
               priority: str, arrived_at: float, preferred_agent: str | None = None,
               now: float | None = None) -> Arrival:
        """Give the task an eligible available agent now (the preferred one first), else a
        place in its set ranked by `arrived_at` and `priority`. Arriving again changes nothing:
        the task keeps its agent or its place."""
        name = set_name(queue, tier, skills)
        answer = self._arrive(
            keys=[*self._prelude(), keys.queue_waiting(name), keys.waiting_caller(call_sid),
                  keys.queue_sets(), keys.queue_set(name), keys.queue_waiting_prefix()],
            args=[call_sid, name, queue, tier, " ".join(sorted(set(skills))), priority,
                  arrived_at, rank(arrived_at, priority), preferred_agent or "",
                  arrived_at if now is None else now, ASSIGNMENT_LOG_LENGTH])
        kind = text(answer[0])
        if kind == "agent":
            return Arrival(agent=text(answer[1]), position=None, assignment=int(answer[2]))
        return Arrival(agent=None, position=int(answer[1]))

    def claim_agent(self, task: str, tier: str, skills: Sequence[str],
                    preferred_agent: str | None = None, now: float = 0.0) -> str | None:
        """Reserve an eligible available agent for `task` (a callback about to be dialled, say):
        the preferred one if eligible, else the longest idle; None when nobody is free. The
        agent is busy with `task` until it is finished or released."""
        answer = self._claim(keys=self._prelude(),
                             args=[task, tier, " ".join(skills), preferred_agent or "", now,
                                   ASSIGNMENT_LOG_LENGTH])
        return text(answer[0]) if answer else None

    def next_for_agent(self, agent_id: str, now: float = 0.0) -> Assignment | None:
        """Give the (available) agent the best-ranked task of every set they can serve."""
        answer = self._next(
            keys=[*self._prelude(), keys.queue_sets(), keys.queue_waiting_prefix(),
                  keys.waiting_caller(""), keys.queue_set("")],
            args=[agent_id, now, ASSIGNMENT_LOG_LENGTH])
        if not answer:
            return None
        return Assignment(task=text(answer[0]), agent=agent_id, number=int(answer[1]))

    def finish(self, agent_id: str, task: str, at: float, then: str = "available",
               reason: str = "") -> bool:
        """The agent is done with `task`: `then` available (idle since `at`), in wrap-up, or
        offline. Refused unless that is the task they hold, so a late or repeated release never
        frees them from a newer one."""
        return bool(self._finish(keys=self._prelude(),
                                 args=[agent_id, task, at, then, reason,
                                       ASSIGNMENT_LOG_LENGTH]))

    def release(self, agent_id: str, task: str, at: float) -> bool:
        """Give back an agent reserved for `task` that never connected (the customer did not
        answer): available again at once, idle since `at`. False unless they hold `task`."""
        return self.finish(agent_id, task, at, "available", "released")

    def set_status(self, agent_id: str, status: str, at: float, reason: str = "",
                   if_since: float | None = None) -> int:
        """Agent presence outside a task: 1 done, 0 refused (on a task, or their status
        changed after `if_since` when given), -1 unknown agent."""
        return int(self._set_status(keys=self._prelude(),
                                    args=[agent_id, status, at, reason,
                                          "" if if_since is None else if_since,
                                          ASSIGNMENT_LOG_LENGTH]))

    def hand_over(self, agent_id: str, held: str, task: str, at: float) -> int | None:
        """The agent reserved for `held` (a callback) now holds `task` (its answered call);
        the new assignment's number, or None unless they held `held`."""
        answer = self._hand_over(keys=self._prelude(),
                                 args=[agent_id, held, task, at, ASSIGNMENT_LOG_LENGTH])
        return int(answer) if answer else None

    def assignment(self, task: str) -> Assignment | None:
        """The task's latest assignment (ended or not), if it had one."""
        raw = text_map(self.redis.hgetall(keys.assigned(task)))
        if not raw.get("agent"):
            return None
        return Assignment(task, raw["agent"], int(raw["n"]), ended=bool(raw.get("ended")))

    def waiting_task(self, task: str) -> Waiting | None:
        raw = text_map(self.redis.hgetall(keys.waiting_caller(task)))
        if not raw:
            return None
        found = self.redis.zrank(keys.queue_waiting(raw["set"]), task)
        if found is None:
            return None
        return Waiting(task, raw["set"], raw["queue"], raw["tier"],
                       tuple(raw["skills"].split()), raw["priority"], float(raw["arrived"]),
                       int(found) + 1)  # type: ignore[arg-type]

    def position(self, task: str) -> int | None:
        waiting = self.waiting_task(task)
        return waiting.position if waiting else None

    def abandon(self, task: str) -> bool:
        """The caller hung up (or the callback was cancelled) while waiting: out at once."""
        return bool(self._abandon(keys=[keys.waiting_caller(task), keys.queue_waiting_prefix()],
                                  args=[task]))

    def waiting(self, set_or_queue: str) -> int:
        """How many tasks wait in one set (`queue:tier:skills`)."""
        return int(self.redis.zcard(keys.queue_waiting(set_or_queue)))

    def served_times(self, waiting_set: str) -> list[float]:
        """When the set's most recent tasks went to an agent (epoch seconds, newest first)."""
        found = self.redis.lrange(keys.queue_waiting_prefix() + waiting_set + ":served", 0, -1)
        return [float(t) for t in found]

    def audit(self) -> tuple[set[str], list[str]]:
        """Replay the assignment log: every task ever given to an agent, and every broken rule
        found (a task given twice, an agent given a task while holding another, a release of
        a task the agent did not hold). The log keeps the last ASSIGNMENT_LOG_LENGTH lines."""
        given: set[str] = set()
        problems: list[str] = []
        holding: dict[str, str] = {}
        for raw in self.redis.lrange(ASSIGNMENTS, 0, -1):
            agent, task, *rest = text(raw).split()
            if not rest:
                if task in given:
                    problems.append(f"{task} was given twice")
                if agent in holding:
                    problems.append(f"{agent} got {task} while on {holding[agent]}")
                given.add(task)
                holding[agent] = task
            elif holding.pop(agent, None) != task:
                problems.append(f"{agent} released {task} without holding it")
            elif rest[0] == "handed":  # `agent from handed over to task`
                holding[agent] = rest[-1]
                given.add(rest[-1])
        return given, problems

    def sets(self) -> list[str]:
        return sorted(text(name) for name in self.redis.smembers(keys.queue_sets()))

    @staticmethod
    def _prelude() -> list[str]:
        return [keys.agents_available(), keys.agent(""), ASSIGNMENTS, keys.assigned(""),
                keys.assignment_seq()]
