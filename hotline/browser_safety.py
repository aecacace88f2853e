"""What a browser is told about every page and API answer: not to frame them, not to guess
their type, to run no script and load nothing from elsewhere, and to send the agent's session
cookie only to this site (and only over https when the deployment is served over https); and
the CSRF token every page's form carries (core.page_access checks it)."""

from __future__ import annotations

from flask import Flask, Response
from flask_wtf.csrf import generate_csrf

from core.settings import Settings

CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self'; media-src 'self'; form-action 'self'; "
                           "frame-ancestors 'none'; "
                           "base-uri 'none'")
"""The agent pages are server-rendered forms and tables: no script anywhere, inline styles."""

FORM_LIFETIME = 12 * 3600
"""Seconds a page's form stays valid: a shift, so a page left open is still usable."""

BROWSER_TYPES = ("text/html", "application/json")
"""Answers a browser may be made to load; Twilio's TwiML (text/xml) needs none of this."""


def protect(app: Flask, settings: Settings) -> None:
    """Install the headers and cookie flags on `app`."""
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
                      WTF_CSRF_TIME_LIMIT=FORM_LIFETIME)
    app.jinja_env.globals["csrf_token"] = generate_csrf

    @app.after_request
    def headers(response: Response) -> Response:
        if response.mimetype in BROWSER_TYPES:
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Referrer-Policy"] = "same-origin"
            if response.mimetype == "text/html":
                # A page with a script of its own (the menu editor) sets a policy allowing it.
                response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
