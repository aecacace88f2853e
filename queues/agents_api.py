"""JSON API (bearer token) for agents and queues: register agents, set their status, escalate
a call to another tier or skill, and the queues' live figures (including how far the wait
estimate is off)."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, jsonify

from core.access import Role
from core.api import allow, answer_errors_as_json, error, json_object, require_own
from core.call_status import CallStatus
from core.errors import InvalidInput, NotFound
from core.events import EventKind
from core.routing import Routing
from core.session import Change, Step
from core.telephony import TelephonyError
from queues.agents import SETTABLE, TIERS, Agent, AgentStatus, Presence, agent_from
from queues.context import Queues, after_call, dispatcher, holds, queues

log = logging.getLogger(__name__)

api = Blueprint("queues_api", __name__, url_prefix="/api/v1")
answer_errors_as_json(api)

@api.put("/agents/<agent_id>")
@allow(Role.ADMIN)
def register(agent_id: str) -> Response:
    q = queues()
    agent = agent_from(agent_id, json_object(), q.d.settings.default_region)
    created = q.agents.register(agent, q.now)
    response = jsonify(_agent_json(q, agent))
    response.status_code = 201 if created else 200
    return response


@api.get("/agents")
@allow(Role.ADMIN, Role.REPORT)
def list_agents() -> Response:
    q = queues()
    return jsonify({"agents": [_agent_json(q, agent, presence)
                               for agent, presence in q.agents.all()]})


@api.get("/agents/<agent_id>")
@allow(Role.ADMIN, Role.AGENT)
def get_agent(agent_id: str) -> Response:
    require_own(agent_id, "agent_id")
    q = queues()
    return jsonify(_agent_json(q, _known(q, agent_id)))


@api.post("/agents/<agent_id>/status")
@allow(Role.ADMIN, Role.AGENT)
def set_status(agent_id: str) -> Response:
    require_own(agent_id, "agent_id")
    body = json_object()
    status = body.get("status")
    if status not in [s.value for s in SETTABLE]:
        raise InvalidInput("status", f"must be one of {', '.join(s.value for s in SETTABLE)}")
    reason = body.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 200:
        raise InvalidInput("reason", "text of at most 200 characters")
    q = queues()
    agent = _known(q, agent_id)
    if not change_status(q, agent.id, str(status), reason or "set by agent"):
        return error(409, "busy", f"agent {agent_id!r} is on a call; the status changes "
                     "when it ends", "status")
    return jsonify(_agent_json(q, agent))


def change_status(q: Queues, agent_id: str, status: str, reason: str) -> bool:
    """Set the agent's presence; an agent made available is given their next task at once."""
    if q.store.set_status(agent_id, status, q.now, reason) != 1:
        return False
    if status == AgentStatus.AVAILABLE.value:
        try:
            dispatcher(q).agent_free(agent_id, q.now)
        except TelephonyError:
            log.exception("could not hand agent %s their next task; the wait URL will", agent_id)
    return True


@api.post("/calls/<call_sid>/escalate")
@allow(Role.ADMIN, Role.AGENT)
def escalate(call_sid: str) -> Response:
    """Move a call that is with an agent to another tier, queue or skill set: the caller
    keeps their ticket and place, the next agent gets the whisper and the transcript."""
    body = json_object()
    q = queues()
    current = q.d.sessions.load(call_sid)
    if current is None:
        raise NotFound(f"no call {call_sid}")
    held = q.store.assignment(call_sid)
    if held is None or held.ended or not holds(q, held):
        return error(409, "not_with_agent", f"call {call_sid} is not with an agent now",
                     "call_sid")
    require_own(held.agent, "call_sid")
    changes = _escalation(body, current.routing or Routing())

    def decide(step: Step) -> Change | str:
        assert step.session is not None
        routing = (step.session.routing or Routing()).escalated(
            held.agent, changes["tier"], changes["queue"], tuple(changes["skills"]),
            changes["escalation_note"])
        event = q.event(EventKind.DECISION, f"Escalated by {held.agent} to {changes['tier']} "
                        f"{changes['queue']}: {changes['escalation_note'] or 'no note'}",
                        **routing.to_dict())
        return Change(step.session.evolve(routing=routing, status=CallStatus.ESCALATED),
                      [event], "")

    q.d.sessions.run(call_sid, f"escalate:{held.number}", decide)
    agent = q.agents.get(held.agent)
    wrap_up = agent.wrap_up if agent else 0
    now = q.now  # one reading: the wrap-up job ends only the wrap-up that began then
    if q.store.finish(held.agent, call_sid, now, "wrap-up" if wrap_up else "available",
                      "escalated"):
        after_call(q, held.agent, now, wrap_up)
    q.d.telephony.redirect(call_sid, q.url("enter", stay=1, s=current.rev + 1))
    return jsonify({"call_sid": call_sid, **changes})


def _escalation(body: dict[str, Any], routing: Routing) -> dict[str, Any]:
    tier = body.get("tier", routing.tier)
    if tier not in TIERS:
        raise InvalidInput("tier", f"must be one of {', '.join(TIERS)}")
    queue = body.get("queue", routing.line_queue)
    if not isinstance(queue, str) or not queue.strip() or len(queue) > 64:
        raise InvalidInput("queue", "a queue name of at most 64 characters")
    skills = body.get("skills", list(routing.skills))
    if not isinstance(skills, list) or not all(isinstance(s, str) and s for s in skills):
        raise InvalidInput("skills", "a list of skill names")
    note = body.get("note", "")
    if not isinstance(note, str) or len(note) > 500:
        raise InvalidInput("note", "text of at most 500 characters")
    if (tier, queue, sorted(skills)) == (routing.tier, routing.line_queue,
                                         sorted(routing.skills)):
        raise InvalidInput("tier", "the call is already there: change tier, queue or skills")
    return {"tier": tier, "queue": queue.strip(), "skills": sorted(set(skills)),
            "escalation_note": note.strip()}


@api.get("/queues/stats")
@allow(Role.ADMIN, Role.AGENT, Role.REPORT)
def stats() -> Response:
    """Waiting tasks per line, agents by status, and the wait estimate's measured error."""
    q = queues()
    by_status: dict[str, int] = {s.value: 0 for s in AgentStatus}
    for _, presence in q.agents.all():
        by_status[presence.status.value] += 1
    return jsonify({
        "waiting": {name: q.store.waiting(name) for name in q.store.sets()},
        "agents": by_status,
        "wait_estimate": asdict(q.stats.accuracy()),
    })


def _known(q: Queues, agent_id: str) -> Agent:
    agent = q.agents.get(agent_id)
    if agent is None:
        raise NotFound(f"no agent {agent_id!r}")
    return agent


def _agent_json(q: Queues, agent: Agent, presence: Presence | None = None) -> dict[str, Any]:
    presence = presence or q.agents.presence(agent.id)
    return {"id": agent.id, "name": agent.name, "reach": agent.reach, "tier": agent.tier,
            "skills": list(agent.skills), "wrap_up_seconds": agent.wrap_up,
            "status": presence.status.value if presence else "offline",
            "since": presence.since if presence else None,
            "reason": presence.reason if presence else "",
            "call": presence.task if presence else None}




@api.errorhandler(TelephonyError)
def on_telephony(exc: TelephonyError) -> Response:
    return error(502, "telephony", f"Twilio refused: {exc}", None)

