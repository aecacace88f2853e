"""Tokens API (admin): issue a token for an agent or a report reader, list them, revoke one.
A new token is shown once, in the answer that issues it."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from core.access import Role, TokenStore
from core.api import allow, answer_errors_as_json, json_object
from core.deps import deps
from core.errors import InvalidInput
from queues.agents import AgentRegistry

bp = Blueprint("tokens_api", __name__, url_prefix="/api/v1/tokens")
answer_errors_as_json(bp, not_found_field="token_id")


def _store() -> TokenStore:
    d = deps()
    return TokenStore(d.redis, d.settings.effective_admin_token)


@bp.get("")
@allow(Role.ADMIN)
def list_tokens() -> Response:
    return jsonify({"tokens": [grant.to_dict() for grant in _store().all()]})


@bp.post("")
@allow(Role.ADMIN)
def issue_token() -> Response:
    body = json_object()
    role, name = body.get("role"), body.get("name")
    if role not in [r.value for r in Role]:
        raise InvalidInput("role", f"must be one of {', '.join(r.value for r in Role)}")
    if not isinstance(name, str):
        raise InvalidInput("name", "required text: the agent's id, or who reads the reports")
    d = deps()
    if role == Role.AGENT and AgentRegistry(d.redis).get(name.strip()) is None:
        raise InvalidInput("name", f"no agent {name.strip()!r}: register the agent first "
                           "(PUT /api/v1/agents/<id>)")
    token, grant = _store().issue(Role(role), name, d.clock.now().timestamp())
    response = jsonify({"token": token, **grant.to_dict()})
    response.status_code = 201
    return response


@bp.delete("/<token_id>")
@allow(Role.ADMIN)
def revoke_token(token_id: str) -> Response:
    return jsonify(_store().revoke(token_id).to_dict())
