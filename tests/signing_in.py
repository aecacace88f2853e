"""Test support: tokens for each role, and signing a test client in to the pages as a
browser would (the sign-in form, with its CSRF token)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from core.access import Role, TokenStore


def issue_token(app: Flask, role: Role, name: str) -> str:
    """A new token of `role` for `name`, issued as `hotline token issue` would."""
    deps = app.extensions["hotline"]
    store = TokenStore(deps.redis, deps.settings.effective_admin_token)
    token, _ = store.issue(role, name, deps.clock.now().timestamp())
    return token


def form_token(client: FlaskClient, path: str = "/agent/login") -> str:
    """The CSRF token of the form on the page at `path`."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token in the form of {path}"
    return found.group(1)


def sign_in(client: FlaskClient, token: str, next_page: str = "") -> TestResponse:
    """Sign `client` in with `token` through the sign-in form."""
    return client.post("/agent/login", data={"token": token, "next": next_page,
                                             "csrf_token": form_token(client)})


def bearer_of(app: Flask, role: Role, name: str) -> dict[str, str]:
    """An Authorization header with a token of `role` that names `name` (each admin's own)."""
    return {"Authorization": f"Bearer {issue_token(app, role, name)}"}


def as_admin(client: FlaskClient, method: str, url: str,
             body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """A request of the admin named by `author` (in the body or `?author=`), with their own
    token (else HOTLINE_ADMIN_TOKEN): the audit log takes who it is from the token."""
    url, _, author = url.partition("?author=")
    body = dict(body) if body is not None else None
    author = (body or {}).pop("author", None) or author
    headers = bearer_of(client.application, Role.ADMIN, author) if author else {
        "Authorization": f"Bearer {client.application.extensions['hotline'].settings.admin_token}"}
    reply = client.open(url, method=method, json=body, headers=headers)
    return reply.status_code, reply.get_json()
