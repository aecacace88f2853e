"""Flask's signed-cookie sessions, built only for requests that bring the cookie."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """Flask's own session interface, except that a request without the session cookie gets an
    empty session without building the cookie signer first. Twilio's webhooks never bring the
    cookie, and the signer costs more than the rest of opening a session; the agent page's
    sessions work as before (a new one is signed when it is saved)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
