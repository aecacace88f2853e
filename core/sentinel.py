"""Redis Sentinel: the Sentinel form of REDIS_URL (the Sentinels to ask and the primary they
watch, in one string every process passes on as it passes a plain `redis://` URL), and a
client of the primary that follows it to a replica Sentinel promotes.

    redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/service[/db][?options]

The form redis-py based projects settled on (redis-sentinel-url, LangChain, RedisVL, Prefect,
docket); kombu's `sentinel://` instead repeats the scheme per host and takes the service name
as a separate option, which would not fit in one variable. The user and password are the
primary's (and its replicas'); the Sentinels' own, when they have one, are the
`sentinel_username` and `sentinel_password` options. A port left out is Sentinel's, 26379.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import redis
from redis.exceptions import ConnectionError, ReadOnlyError, ResponseError
from redis.sentinel import Sentinel, SentinelManagedConnection

from core.errors import ConfigError

SCHEME = "redis+sentinel"
SENTINEL_PORT = 26379
"""The port a Sentinel listens on unless its configuration says otherwise."""
OPTIONS = ("sentinel_username", "sentinel_password")
FORM = f"{SCHEME}://[:password@]host1:{SENTINEL_PORT},host2:{SENTINEL_PORT}/service-name[/db]"


@dataclass(frozen=True)
class SentinelUrl:
    sentinels: tuple[tuple[str, int], ...]
    service: str
    """The name the Sentinels know the primary by (`sentinel monitor <service> ...`)."""
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_username: str | None = None
    sentinel_password: str | None = None


def is_sentinel(url: str) -> bool:
    return url.lower().startswith(f"{SCHEME}://")


def parse_sentinel_url(url: str) -> SentinelUrl:
    """The parts of a `redis+sentinel://` URL; ConfigError naming REDIS_URL and what is wrong."""
    parts = urlsplit(url)
    userinfo, _, hosts = parts.netloc.rpartition("@")
    username, password = _credentials(userinfo)
    service, db = _service_and_db(parts.path)
    options = _options(parts.query)
    return SentinelUrl(
        sentinels=tuple(_address(member) for member in hosts.split(",")),
        service=service, db=db, username=username, password=password,
        sentinel_username=options.get("sentinel_username"),
        sentinel_password=options.get("sentinel_password"),
    )


def primary(url: SentinelUrl, **options: Any) -> redis.Redis:
    """A client of the primary the Sentinels of `url` name now, and after each failover;
    `options` (timeouts) apply to the Sentinels' connections as well."""
    auth = {"username": url.sentinel_username, "password": url.sentinel_password}
    sentinels = Sentinel(list(url.sentinels),  # type: ignore[no-untyped-call]
                         sentinel_kwargs={**options, **auth}, **options)
    client: redis.Redis = sentinels.master_for(  # type: ignore[no-untyped-call]
        url.service, connection_class=PrimaryConnection, db=url.db,
        username=url.username, password=url.password)
    return client


def is_read_only(reply: ResponseError) -> bool:
    """Whether `reply` says the server is a replica now: READONLY to a command, or inside a
    script's error (which redis-py leaves a plain ResponseError)."""
    return isinstance(reply, ReadOnlyError) or "READONLY You can't write" in str(reply)


class PrimaryConnection(SentinelManagedConnection):
    """redis-py's Sentinel-managed connection, mended in three ways (redis-py 8.1):

    - A read cut short (a timeout; RQ's warm shutdown interrupting a blocking dequeue) closes
      the connection, as a plain connection's does; redis-py's Sentinel one stayed open with a
      reply still owed, so the next command on it read that reply, or waited for it (a
      `hotline worker` hung in its shutdown after a failover).
    - A reconnect on write asks the Sentinels where the primary is; redis-py's went back to
      the last address, the old primary after a failover (or localhost:6379 if never
      connected).
    - A script refused with READONLY is, like a command refused so, a sign of a failover: the
      connection is closed and a ConnectionError raised, which the client retries on a new
      connection to the new primary; redis-py passed it on as a script error."""

    def read_response(self, disable_decoding: bool = False, *,
                      disconnect_on_error: bool | None = True, **options: Any) -> Any:
        try:
            return super().read_response(
                disable_decoding, disconnect_on_error=disconnect_on_error, **options)
        except ResponseError as reply:
            if not is_read_only(reply):
                raise
            self.disconnect()  # type: ignore[no-untyped-call]
            raise ConnectionError("the primary has become a replica") from reply

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        if self._sock is None:
            self.connect()  # type: ignore[no-untyped-call]
        super().send_packed_command(command, check_health)  # type: ignore[no-untyped-call]


def _problem(reason: str) -> ConfigError:
    # The URL itself is not repeated: it may hold a password.
    return ConfigError(f"REDIS_URL: {reason} (expected {FORM})")


def _credentials(userinfo: str) -> tuple[str | None, str | None]:
    if not userinfo:
        return None, None
    username, colon, password = userinfo.partition(":")
    if not colon:
        raise _problem("the part before @ must be user:password or :password")
    return unquote(username) or None, unquote(password) or None


def _address(member: str) -> tuple[str, int]:
    if member.startswith("["):  # an IPv6 address: [::1]:26379
        host, _, rest = member[1:].partition("]")
        port = rest.removeprefix(":")
    else:
        host, _, port = member.partition(":")
    if not host:
        raise _problem("a Sentinel host is missing (an empty entry in the comma-separated list?)")
    if not port:
        return host, SENTINEL_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise _problem(f"Sentinel {host}'s port {port!r} is not a port number")
    return host, int(port)


def _service_and_db(path: str) -> tuple[str, int]:
    service, _, db = path.removeprefix("/").partition("/")
    if not service:
        raise _problem("the primary's service name (as in `sentinel monitor`) is missing")
    if not db:
        return unquote(service), 0
    if not db.isdigit():
        raise _problem(f"the database {db!r} after the service name is not a number")
    return unquote(service), int(db)


def _options(query: str) -> dict[str, str]:
    found = parse_qs(query, keep_blank_values=True, strict_parsing=False)
    unknown = sorted(set(found) - set(OPTIONS))
    if unknown:
        raise _problem(f"unknown option {', '.join(unknown)} (known: {', '.join(OPTIONS)})")
    return {name: values[-1] for name, values in found.items()}
