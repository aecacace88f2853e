"""A Twilio Voice access token for an agent's softphone: the agent registered as
`client:<identity>` is rung there, and a browser or app built on Twilio's Voice SDK registers
that identity with this token (incoming calls only: agents never dial out through Hotline)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from core.access import Role
from core.api import allow, answer_errors_as_json, error, require_own
from core.deps import deps
from queues.agents import AgentRegistry

TOKEN_SECONDS = 3600
"""How long a voice token lasts; the SDK asks for a new one before it runs out."""

bp = Blueprint("softphone_api", __name__, url_prefix="/api/v1/agents")
answer_errors_as_json(bp)


@bp.get("/<agent_id>/voice-token")
@allow(Role.ADMIN, Role.AGENT)
def voice_token(agent_id: str) -> Response:
    """A token that lets the agent's softphone receive the calls routed to them."""
    require_own(agent_id, "agent_id")
    settings = deps().settings
    agent = AgentRegistry(deps().redis).get(agent_id)
    if agent is None:
        return error(404, "not_found", f"no agent {agent_id!r}", "agent_id")
    if not agent.is_client:
        return error(409, "not_a_client", f"agent {agent_id!r} is reached at a phone number, "
                     "not a Twilio Client identity", "agent_id")
    if not (settings.twilio_api_key_sid and settings.twilio_api_key_secret):
        return error(409, "no_api_key", "voice tokens need TWILIO_API_KEY_SID and "
                     "TWILIO_API_KEY_SECRET (a Twilio API key)", None)
    token = AccessToken(settings.twilio_account_sid, settings.twilio_api_key_sid,
                        settings.twilio_api_key_secret, identity=agent.client_identity,
                        ttl=TOKEN_SECONDS)
    token.add_grant(VoiceGrant(incoming_allow=True))
    return jsonify({"token": token.to_jwt(), "identity": agent.client_identity,
                    "expires_in": TOKEN_SECONDS})
