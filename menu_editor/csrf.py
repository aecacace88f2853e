"""A per-session token every state-changing request of the editor must carry (a form field or
the `X-CSRF-Token` header of its fetches), so another site cannot post on an admin's behalf
even where SameSite cookies are not enforced."""

from __future__ import annotations

import secrets

from flask import Response, abort, redirect, request, session, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from core.api import same_secret

FIELD = "csrf"
HEADER = "X-CSRF-Token"
MAX_FORM_PARTS = 100_000


def token() -> str:
    """This session's token, made on first use."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    found: str = session[FIELD]
    return found


def check() -> None:
    """Blueprint hook: 403 for a POST without this session's token."""
    if request.method != "POST":
        return
    given = request.headers.get(HEADER) or request.form.get(FIELD, "")
    expected = session.get(FIELD)
    if not expected or not same_secret(given, expected):
        abort(403, description="the form is out of date; reload the page and try again")


def signed_in() -> WerkzeugResponse | None:
    """Blueprint hook of the admin pages: the agent page's sign-in, then the form token."""
    # The editor's form has a field per prompt, key, label and phrase list: more than
    # werkzeug's default of 1,000 parts for a tree of a hundred nodes. The app's body size
    # limit still bounds it.
    request.max_form_parts = MAX_FORM_PARTS
    if "agent" in session:
        check()
        return None
    if request.method == "GET":
        return redirect(url_for("agent.login_form", next=request.path))
    return Response("sign in first", status=401)
