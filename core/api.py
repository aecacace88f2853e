"""Conventions of the JSON API under /api/v1: bearer tokens with roles (core.access) and
`{"error": {...}}` bodies."""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Blueprint, Response, g, jsonify, request
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException

from core.access import Grant, RefusalThrottle, Role, TokenStore
from core.deps import deps
from core.errors import InvalidInput, NotFound, NotYours

log = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])


def error(status: int, code: str, message: str, field: str | None = None) -> Response:
    """A JSON error in the API's one shape; `field` names the offending input, if any."""
    response = jsonify({"error": {"code": code, "message": message, "field": field}})
    response.status_code = status
    return response


def allow(*roles: Role) -> Callable[[View], View]:
    """View decorator: 401 without a valid bearer token, 429 while the sender's address is
    throttled for sending wrong ones, 403 when the token's role is not among `roles`. The
    roles are kept on the view (`allowed_roles`) so the route table can be checked whole."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            refused = authenticate(roles)
            return refused if refused is not None else view(*args, **kwargs)

        checked.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


def authenticate(roles: Iterable[Role]) -> Response | None:
    """None when the request's bearer token has one of `roles` (its grant is then
    `current_grant()`); the refusal to answer else."""
    d = deps()
    throttle = RefusalThrottle(d.redis, d.settings.wrong_tokens_allowed)
    address = request.remote_addr or "unknown"
    wait = throttle.blocked_for(address)
    if wait:
        refused = error(429, "throttled", "too many wrong tokens came from this address; "
                        f"try again in {wait} s", "Authorization")
        refused.headers["Retry-After"] = str(wait)
        return refused
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    grant = None
    if scheme.lower() == "bearer" and token.strip():
        grant = TokenStore(d.redis, d.settings.effective_admin_token).grant_for(token.strip())
    if grant is None:
        if header:
            log.warning("refused a bearer token from %s for %s (%d in this window)", address,
                        request.path, throttle.refused(address))
        return error(401, "unauthorized", "a valid bearer token is required", "Authorization")
    allowed = sorted(role.value for role in roles)
    if grant.role not in allowed:
        return error(403, "forbidden", f"an {grant.role.value} token may not do this; it "
                     f"needs the role {' or '.join(allowed)}", "Authorization")
    g.grant = grant
    return None


def current_grant() -> Grant:
    """The grant of the request's token, once `allow` has let it through."""
    grant: Grant = g.grant
    return grant


def acting_agent() -> str | None:
    """The agent a request acts for, when its token is an agent's; None for an admin."""
    grant = current_grant()
    return grant.name if grant.role is Role.AGENT else None


def require_own(agent_id: str, field: str) -> None:
    """NotYours unless the request acts for `agent_id` or for an admin."""
    acting = acting_agent()
    if acting is not None and acting != agent_id:
        raise NotYours(field, f"an agent token may only act for its own agent ({acting})")


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
        if isinstance(exc, NotYours):
            return error(403, "not_yours", str(exc), exc.field)
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
