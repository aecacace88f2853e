"""A per-session token every state-changing request of the editor must carry (a form field or
the `X-CSRF-Token` header of its fetches), so another site cannot post on an admin's behalf
even where SameSite cookies are not enforced."""

from __future__ import annotations

import secrets

from flask import abort, request, session

from core.api import same_secret

FIELD = "csrf"
HEADER = "X-CSRF-Token"


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
