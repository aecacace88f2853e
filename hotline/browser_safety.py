"""What a browser is told about every page and API answer: not to frame them, not to guess
their type, to run no script and load nothing from elsewhere, and to send the agent's session
cookie only to this site (and only over https when the deployment is served over https)."""

from __future__ import annotations

from flask import Flask, Response

from core.settings import Settings

CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self'; media-src 'self'; form-action 'self'; "
                           "frame-ancestors 'none'; "
                           "base-uri 'none'")
"""The agent pages are server-rendered forms and tables: no script anywhere, inline styles."""

BROWSER_TYPES = ("text/html", "application/json")
"""Answers a browser may be made to load; Twilio's TwiML (text/xml) needs none of this."""


def protect(app: Flask, settings: Settings) -> None:
    """Install the headers and cookie flags on `app`."""
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"))

    @app.after_request
    def headers(response: Response) -> Response:
        if response.mimetype in BROWSER_TYPES:
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Referrer-Policy"] = "same-origin"
            if response.mimetype == "text/html":
                response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response
