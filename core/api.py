"""Conventions of the JSON API under /api/v1: bearer tokens and `{"error": {...}}` bodies."""

from __future__ import annotations

import hmac

from flask import Response, jsonify, request

from core.deps import deps


def error(status: int, code: str, message: str, field: str | None = None) -> Response:
    """A JSON error in the API's one shape; `field` names the offending input, if any."""
    response = jsonify({"error": {"code": code, "message": message, "field": field}})
    response.status_code = status
    return response


def require_admin_token() -> Response | None:
    """Blueprint hook: 401 unless `Authorization: Bearer <HOTLINE_ADMIN_TOKEN>` is sent."""
    expected = deps().settings.effective_admin_token
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    if expected is None:
        return error(401, "api_closed", "set HOTLINE_ADMIN_TOKEN to open the API",
                     "Authorization")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), expected):
        return error(401, "unauthorized", "a valid bearer token is required", "Authorization")
    return None
