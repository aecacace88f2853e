"""The agent's page: who is calling, why, how urgent, the whole transcript, the number's
earlier tickets, internal notes, and the agent's status buttons. Server-rendered; signed in
with the admin token for now."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from agent_desk.current_call import current_ticket
from core.api import same_secret
from core.deps import deps
from core.errors import InvalidInput, NotFound
from queues.agents import SETTABLE, Presence
from queues.agents_api import change_status
from queues.context import queues
from recordings.links import link_key, signed_path
from tickets_bridge.api import desk, tickets
from tickets_bridge.ticket import Ticket

bp = Blueprint("agent", __name__, url_prefix="/agent", template_folder="templates")


@bp.get("/login")
def login_form() -> str:
    return render_template("agent/login.html", failed=False, next=request.args.get("next", ""))


@bp.post("/login")
def login() -> str | WerkzeugResponse:
    expected = deps().settings.effective_admin_token
    given = request.form.get("token", "")
    name = request.form.get("name", "").strip()[:100] or "agent"
    if expected is None or not same_secret(given, expected):
        return render_template("agent/login.html", failed=True, next=request.form.get("next"))
    session["agent"] = name
    return redirect(_local_target(request.form.get("next", "")) or url_for("agent.login_form"))


@bp.get("/current")
def current_call() -> str | WerkzeugResponse:
    """The signed-in agent's current call: its ticket, or a page saying there is none yet."""
    if "agent" not in session:
        return redirect(url_for("agent.login_form", next=request.path))
    ticket = current_ticket(session["agent"])
    if ticket is None:
        return render_template("agent/idle.html", agent=session["agent"])
    return redirect(url_for("agent.ticket_page", ticket_id=ticket.id))


@bp.get("/tickets/<int:ticket_id>")
def ticket_page(ticket_id: int) -> str | WerkzeugResponse:
    if "agent" not in session:
        return redirect(url_for("agent.login_form", next=request.path))
    ticket = tickets().get(ticket_id)
    if ticket is None:
        abort(404, description=f"no ticket {ticket_id}")
    return render_template("agent/ticket.html", ticket=ticket, earlier=_earlier(ticket),
                           agent=session["agent"], error=request.args.get("error"))


def _earlier(ticket: Ticket) -> list[Ticket]:
    """The number's tickets opened before this one, newest first."""
    if not ticket.phone:
        return []
    before = [t for t in tickets().for_phone(ticket.phone)
              if (t.created_at, t.id) < (ticket.created_at, ticket.id)]
    return sorted(before, key=lambda t: (t.created_at, t.id), reverse=True)


@bp.post("/tickets/<int:ticket_id>/notes")
def add_note(ticket_id: int) -> WerkzeugResponse | Response:
    if "agent" not in session:
        abort(401)
    try:
        desk().add_note(ticket_id, request.form.get("text", ""), session["agent"])
    except InvalidInput as invalid:
        return redirect(url_for("agent.ticket_page", ticket_id=ticket_id, error=str(invalid)))
    except NotFound:
        abort(404)
    return redirect(url_for("agent.ticket_page", ticket_id=ticket_id))


@bp.post("/status")
def page_status() -> WerkzeugResponse:
    """The status buttons (the signed-in agent's own presence)."""
    if "agent" not in session:
        return redirect(url_for("agent.login_form"))
    q = queues()
    status = request.form.get("status", "")
    back = request.form.get("next", "")
    target = back if back.startswith("/agent/") else url_for("agent.current_call")
    if status not in [s.value for s in SETTABLE] or q.agents.get(session["agent"]) is None:
        return redirect(target)
    change_status(q, session["agent"], status, "set on the agent page")
    return redirect(target)


@bp.app_context_processor
def presence_for_templates() -> dict[str, Any]:
    def agent_presence(agent_id: str) -> Presence | None:
        return queues().agents.presence(agent_id)

    def recording_link(name: str) -> str:
        """A link playing kept audio `name` for a little while (recordings.links)."""
        d = deps()
        return signed_path(link_key(d.settings.session_secret), name, d.clock.now().timestamp())
    return {"agent_presence": agent_presence, "recording_link": recording_link}


def _local_target(target: str) -> str | None:
    """`target` if it is a page of the agent console: a path, never another site or a header."""
    if target.startswith("/agent/") and target.isprintable() and "//" not in target:
        return target
    return None
