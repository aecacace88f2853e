"""The agent's page: who is calling, why, how urgent, the whole transcript, the number's
earlier tickets, internal notes, and the agent's status buttons. Server-rendered; each agent
signs in with their own token (an admin's token shows every ticket, without the buttons)."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from agent_desk.current_call import current_ticket
from agent_desk.reason import reason_of
from core.access import RefusalThrottle, Role, TokenStore
from core.api import acting_agent, current_grant
from core.deps import deps
from core.errors import InvalidInput, NotFound
from core.page_access import check_form, page_allow, sign_in, sign_out
from core.phone import parse_caller
from queues.agents import SETTABLE, Presence
from queues.agents_api import change_status
from queues.context import queues
from recordings.links import link_key, signed_path
from tickets_bridge.api import desk, tickets, visible_to_requester
from tickets_bridge.desk import STATUSES
from tickets_bridge.ticket import Ticket

log = logging.getLogger(__name__)

bp = Blueprint("agent", __name__, url_prefix="/agent", template_folder="templates")

STAFF = (Role.ADMIN, Role.AGENT)
SEARCHED = ("phone", "status", "assignee")
"""The ticket list's search fields, each matched exactly."""


@bp.get("/login")
def login_form() -> str:
    return render_template("agent/login.html", failed=False, next=request.args.get("next", ""))


@bp.post("/login")
def login() -> tuple[str, int] | WerkzeugResponse:
    check_form()
    d = deps()
    throttle = RefusalThrottle(d.redis, d.settings.wrong_tokens_allowed)
    address = request.remote_addr or "unknown"
    target = _local_target(request.form.get("next", ""))
    wait = throttle.blocked_for(address)
    if wait:
        return render_template("agent/login.html", failed=False, wait_minutes=-(-wait // 60),
                               next=target), 429
    grant = TokenStore(d.redis, d.settings.effective_admin_token).grant_for(
        request.form.get("token", "").strip())
    if grant is None:
        log.warning("refused a sign-in from %s (%d in this window)", address,
                    throttle.refused(address))
        return render_template("agent/login.html", failed=True, next=target), 401
    sign_in(grant)
    home = url_for("reports.dashboard") if grant.role is Role.REPORT else url_for(
        "agent.current_call")
    return redirect(target or home)


@bp.post("/logout")
def logout() -> WerkzeugResponse:
    check_form()
    sign_out()
    return redirect(url_for("agent.login_form"))


@bp.get("/")
@bp.get("/current")
@page_allow(*STAFF)
def current_call() -> str | WerkzeugResponse:
    """The signed-in agent's current call: its ticket, or a page saying there is none yet."""
    agent = acting_agent()
    ticket = current_ticket(agent) if agent is not None else None
    if ticket is None:
        return render_template("agent/idle.html")
    return redirect(url_for("agent.ticket_page", ticket_id=ticket.id))


@bp.get("/tickets")
@page_allow(*STAFF)
def ticket_list() -> str:
    """Tickets found by phone, status and assignee, newest first: an agent's own (assigned or
    routed to them now), an admin's all."""
    asked = {name: request.args.get(name, "").strip()[:200] for name in SEARCHED}
    equal = {name: value for name, value in asked.items() if value and "\x00" not in value}
    problem = None
    if "phone" in equal:
        phone = parse_caller(equal["phone"], deps().settings.default_region)
        if phone is None:
            problem = f"{equal['phone']!r} is not a phone number"
        else:
            equal["phone"] = phone.e164
    visible = visible_to_requester()
    found = [] if problem else [t for t in tickets().search(equal) if visible(t)]
    return render_template("agent/tickets.html", tickets=found, asked=asked, problem=problem,
                           statuses=list(STATUSES))


@bp.get("/tickets/<int:ticket_id>")
@page_allow(*STAFF)
def ticket_page(ticket_id: int) -> str:
    ticket = _visible_ticket(ticket_id)
    return render_template("agent/ticket.html", ticket=ticket, earlier=_earlier(ticket),
                           reason=reason_of(ticket.transcript), error=request.args.get("error"))


def _visible_ticket(ticket_id: int) -> Ticket:
    ticket = tickets().get(ticket_id)
    if ticket is None:
        abort(404, description=f"no ticket {ticket_id}")
    if not visible_to_requester()(ticket):
        abort(403, description=f"ticket {ticket_id} is neither assigned nor routed to you")
    return ticket


def _earlier(ticket: Ticket) -> list[Ticket]:
    """The number's tickets opened before this one, newest first."""
    if not ticket.phone:
        return []
    before = [t for t in tickets().for_phone(ticket.phone)
              if (t.created_at, t.id) < (ticket.created_at, ticket.id)]
    return sorted(before, key=lambda t: (t.created_at, t.id), reverse=True)


@bp.post("/tickets/<int:ticket_id>/notes")
@page_allow(*STAFF)
def add_note(ticket_id: int) -> WerkzeugResponse | Response:
    _visible_ticket(ticket_id)
    try:
        desk().add_note(ticket_id, request.form.get("text", ""), current_grant().name)
    except InvalidInput as invalid:
        return redirect(url_for("agent.ticket_page", ticket_id=ticket_id, error=str(invalid)))
    except NotFound:
        abort(404)
    return redirect(url_for("agent.ticket_page", ticket_id=ticket_id))


@bp.post("/status")
@page_allow(Role.AGENT)
def page_status() -> WerkzeugResponse:
    """The status buttons (the signed-in agent's own presence)."""
    agent = current_grant().name
    q = queues()
    status = request.form.get("status", "")
    target = _local_target(request.form.get("next", "")) or url_for("agent.current_call")
    if status not in [s.value for s in SETTABLE] or q.agents.get(agent) is None:
        return redirect(target)
    change_status(q, agent, status, "set on the agent page")
    return redirect(target)


@bp.app_context_processor
def presence_for_templates() -> dict[str, Any]:
    def agent_presence(agent_id: str) -> Presence | None:
        return queues().agents.presence(agent_id)

    def recording_link(name: str) -> str:
        """A link playing kept audio `name` for a little while (recordings.links)."""
        d = deps()
        return signed_path(link_key(d.settings.session_secret), name, d.clock.now().timestamp())
    return {"agent_presence": agent_presence, "recording_link": recording_link,
            "signed_in_as": g.get("grant")}


def _local_target(target: str) -> str | None:
    """`target` if it is a page of this site: a path, never another site or a header."""
    if target.startswith("/") and target.isprintable() and not target.startswith("//") \
            and "\\" not in target:
        return target
    return None
