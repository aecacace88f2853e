"""Conventions of the JSON API under /api/v1: bearer tokens and `{"error": {...}}` bodies."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException

from core.deps import deps
from core.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)


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
    if scheme.lower() != "bearer" or not same_secret(token.strip(), expected):
        return error(401, "unauthorized", "a valid bearer token is required", "Authorization")
    return None


def same_secret(given: str, expected: str) -> bool:
    """Whether `given` is the secret `expected`, in constant time, whatever characters it has
    (hmac refuses to compare str holding anything but ASCII)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                               expected.encode("utf-8", "surrogatepass"))


def json_object(what: str = "a JSON object is required") -> dict[str, Any]:
    """The request's JSON body, which must be an object of valid Unicode text; InvalidInput
    naming `body` (or the field holding a lone surrogate) else."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise InvalidInput("body", f"nested too deeply; {what}") from None
    if not isinstance(body, dict):
        raise InvalidInput("body", what)
    _refuse_lone_surrogates(body, "")
    return body


def _refuse_lone_surrogates(value: object, where: str) -> None:
    # JSON may spell half of a surrogate pair ("\ud800"), which no database or JSON encoder
    # can store; say which field holds it instead of failing later.
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput(where or "body", "is not valid Unicode text") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_lone_surrogates(key, where or "body")
            _refuse_lone_surrogates(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_lone_surrogates(item, f"{where}[{index}]")


def answer_errors_as_json(bp: Blueprint, not_found_field: str = "id") -> None:
    """Install the API's error shape on a blueprint: 400 naming the field for InvalidInput,
    404 for NotFound (naming `not_found_field`), and HTTP errors as they are."""

    @bp.errorhandler(InvalidInput)
    def on_invalid(exc: InvalidInput) -> Response:
        return error(400, "invalid_field", str(exc), exc.field)

    @bp.errorhandler(NotFound)
    def on_not_found(exc: NotFound) -> Response:
        return error(404, "not_found", str(exc), not_found_field)

    @bp.errorhandler(RedisError)
    def on_redis_down(exc: RedisError) -> Response:
        log.exception("API %s: Redis failed", request.path)
        return error(503, "unavailable", "call state is unreachable right now; try again")

    @bp.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException) -> Response:
        code = exc.code or 500
        return error(code, "bad_request" if code < 500 else "internal_error",
                     exc.description or "bad request")
