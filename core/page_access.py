"""Who is signed in to Hotline's pages, and the checks every page and form goes through.

A page session holds the grant of the token its holder signed in with (core.access); the grant
is looked up again on every page, so a revoked token signs its sessions out at once. Every form
carries a CSRF token (Flask-WTF's, bound to the session), so another site cannot post one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import abort, g, redirect, request, session
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from core.access import Grant, Role, TokenStore, grant_from
from core.deps import deps

SIGN_IN_PATH = "/agent/login"
"""Where a page sends someone who is not signed in (with `?next=` the page they asked for)."""

CSRF_HEADER = "X-CSRF-Token"
"""Where a page's script sends the CSRF token with the requests it makes itself."""

View = TypeVar("View", bound=Callable[..., Any])


def sign_in(grant: Grant) -> None:
    session.clear()
    session["grant"] = grant.to_dict()


def sign_out() -> None:
    session.clear()


def signed_in() -> Grant | None:
    """The grant of the session's token, if it is signed in and the token still valid."""
    raw = session.get("grant")
    if not isinstance(raw, dict):
        return None
    grant = grant_from(raw)
    d = deps()
    if grant is None or not TokenStore(d.redis, d.settings.effective_admin_token).still_valid(
            grant):
        return None
    return grant


def page_allow(*roles: Role) -> Callable[[View], View]:
    """Page decorator: to the sign-in page when nobody is signed in, 403 for a role not among
    `roles`, 400 for a form without its CSRF token. The grant is then `g.grant`, as for the
    API (core.api.acting_agent works on pages too)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            grant = signed_in()
            if grant is None:
                if request.method != "GET":
                    abort(401, description="sign in again: the session has ended")
                asked = request.full_path.rstrip("?")
                return redirect(f"{SIGN_IN_PATH}?{urlencode({'next': asked})}")
            if grant.role not in roles:
                abort(403, description=f"signed in as {grant.role.value}; this page needs "
                      f"{' or '.join(sorted(r.value for r in roles))}")
            check_form()
            g.grant = grant
            return view(*args, **kwargs)

        checked.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


def check_form() -> None:
    """A 400 (CSRFError) unless a posted form carries this session's CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    try:
        validate_csrf(request.form.get("csrf_token") or request.headers.get(CSRF_HEADER))
    except ValidationError as invalid:
        raise CSRFError(f"this form has expired or came from elsewhere ({invalid}); "
                        "reload the page and try again") from None
