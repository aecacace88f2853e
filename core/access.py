"""Who may do what: the roles, the tokens that carry them, and the throttle on wrong tokens.

Three roles. `admin` may do everything (menus, agents, callbacks, tokens). `agent` may set
their own status, see their own screen-pop and the tickets routed to them, and add notes to
those. `report` may only read figures. `HOTLINE_ADMIN_TOKEN` is always an admin token; every
other token is issued (`hotline token issue`, `POST /api/v1/tokens`), shown once, and kept only
as its SHA-256 digest: a copy of Redis gives nobody a usable token. Tokens are 256 random bits,
so a plain digest is enough (a slow password hash protects guessable secrets, which these are
not). A token reads `hl_<id>.<secret>`: the id finds its record without scanning, and names it
in listings and revocations.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from enum import StrEnum

import redis
from redis.exceptions import RedisError

from core import keys
from core.errors import InvalidInput, NotFound

TOKEN_PREFIX = "hl_"

REFUSAL_WINDOW = 900
"""Seconds over which wrong tokens from one address are counted."""



class Role(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"
    REPORT = "report"


@dataclass(frozen=True)
class Grant:
    """What a valid token grants: a role, and whose it is (the agent's id for `agent`)."""

    id: str
    role: Role
    name: str
    created_at: float

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "role": self.role.value}


ENV_ADMIN = Grant(id="env", role=Role.ADMIN, name="admin", created_at=0.0)
"""The grant of HOTLINE_ADMIN_TOKEN (or the development token on a local run)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class TokenStore:
    """Issued tokens, in Redis, by id."""

    def __init__(self, client: redis.Redis, admin_token: str | None) -> None:
        self._redis = client
        self._admin_digest = _digest(admin_token) if admin_token else None

    def issue(self, role: Role, name: str, now: float) -> tuple[str, Grant]:
        """A new token for `name` in `role`, and its grant; the token is not kept."""
        name = name.strip()
        if not name or len(name) > 64 or not name.isprintable():
            raise InvalidInput("name", "printable text of 1 to 64 characters")
        grant = Grant(id=secrets.token_hex(6), role=role, name=name, created_at=now)
        token = f"{TOKEN_PREFIX}{grant.id}.{secrets.token_urlsafe(32)}"
        record = {"digest": _digest(token), "role": role.value, "name": name,
                  "created_at": now}
        self._redis.hset(keys.access_tokens(), grant.id, json.dumps(record))
        return token, grant

    def grant_for(self, token: str) -> Grant | None:
        """The grant `token` carries, or None when it is not a valid token."""
        digest = _digest(token)
        if self._admin_digest is not None and secrets.compare_digest(digest,
                                                                     self._admin_digest):
            return ENV_ADMIN
        token_id = token.removeprefix(TOKEN_PREFIX).partition(".")[0]
        if not token.startswith(TOKEN_PREFIX) or not token_id.isascii():
            return None
        grant, stored = self._load(token_id)
        if grant is None or not secrets.compare_digest(digest, stored):
            return None
        return grant

    def still_valid(self, grant: Grant) -> bool:
        """Whether `grant` has not been revoked since it was checked."""
        return grant.id == ENV_ADMIN.id or self._load(grant.id)[0] is not None

    def revoke(self, token_id: str) -> Grant:
        """Remove a token; NotFound when there is none by that id."""
        grant, _ = self._load(token_id)
        if grant is None or not self._redis.hdel(keys.access_tokens(), token_id):
            raise NotFound(f"no token {token_id!r}")
        return grant

    def all(self) -> list[Grant]:
        """Every issued token's grant, oldest first."""
        raw: dict[bytes, bytes] = self._redis.hgetall(keys.access_tokens())  # type: ignore[assignment]
        grants = [_grant(key.decode(), value) for key, value in raw.items()]
        return sorted(grants, key=lambda grant: (grant.created_at, grant.id))

    def _load(self, token_id: str) -> tuple[Grant | None, str]:
        raw = self._redis.hget(keys.access_tokens(), token_id)
        if raw is None:
            return None, ""
        return _grant(token_id, raw), json.loads(raw)["digest"]


def _grant(token_id: str, raw: bytes | str) -> Grant:
    grant = grant_from({**json.loads(raw), "id": token_id})
    assert grant is not None, f"token record {token_id} is not a grant"
    return grant


def grant_from(record: dict[str, object]) -> Grant | None:
    """The grant a stored record (or a page session) holds, None if it holds none."""
    try:
        return Grant(id=str(record["id"]), role=Role(str(record["role"])),
                     name=str(record["name"]), created_at=float(record["created_at"]))  # type: ignore[arg-type]
    except (KeyError, ValueError, TypeError):
        return None


class RefusalThrottle:
    """Counts wrong tokens per address, so guessing is slowed to a few tries a window. While
    Redis is unreachable nothing is counted and nobody is held back: the tokens are still
    checked, and answers that need no Redis (the admin token on /metrics) keep working."""

    def __init__(self, client: redis.Redis, allowed: int) -> None:
        self._redis = client
        self._allowed = allowed

    def blocked_for(self, address: str) -> int:
        """Seconds `address` must wait before its next try, 0 when it may try now."""
        key = keys.refused_credentials(address)
        try:
            count = self._redis.get(key)
            if count is None or int(count) < self._allowed:
                return 0
            return max(int(self._redis.ttl(key)), 1)
        except RedisError:
            return 0

    def refused(self, address: str) -> int:
        """Count one wrong token from `address`; how many it sent in this window."""
        key = keys.refused_credentials(address)
        try:
            with self._redis.pipeline() as pipe:
                pipe.set(key, 0, ex=REFUSAL_WINDOW, nx=True)  # the window opens on the first
                pipe.incr(key)
                _, count = pipe.execute()
        except RedisError:
            return 0
        return int(count)
