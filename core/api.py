"""Conventions of the JSON API under /api/v1: bearer tokens and `{"error": {...}}` bodies."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from core.deps import deps
from core.errors import InvalidInput, NotFound


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


def json_object(what: str = "a JSON object is required") -> dict[str, Any]:
    """The request's JSON body, which must be an object; InvalidInput naming `body` else."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("body", what)
    return body


def answer_errors_as_json(bp: Blueprint, not_found_field: str = "id") -> None:
    """Install the API's error shape on a blueprint: 400 naming the field for InvalidInput,
    404 for NotFound (naming `not_found_field`), and HTTP errors as they are."""

    @bp.errorhandler(InvalidInput)
    def on_invalid(exc: InvalidInput) -> Response:
        return error(400, "invalid_field", str(exc), exc.field)

    @bp.errorhandler(NotFound)
    def on_not_found(exc: NotFound) -> Response:
        return error(404, "not_found", str(exc), not_found_field)

    @bp.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException) -> Response:
        return error(exc.code or 400, "bad_request", exc.description or "bad request")
