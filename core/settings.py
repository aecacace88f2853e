"""One typed settings object, read from the environment at the edge and passed in everywhere."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core import hours
from core.errors import ConfigError

DEV_ACCOUNT_SID = "AC00000000000000000000000000000000"
"""Account SID used when TWILIO_ACCOUNT_SID is unset: local runs with the caller simulator."""

DEV_AUTH_TOKEN = "hotline-dev-auth-token"
"""Auth token used when TWILIO_AUTH_TOKEN is unset; the simulator signs with the same one."""

DEV_ADMIN_TOKEN = "hotline-dev-admin-token"
"""Admin API bearer token when HOTLINE_ADMIN_TOKEN is unset and Twilio credentials are the dev
ones (a local run); with real credentials and no admin token the admin API stays closed."""

DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"
"""Where Twilio (or the simulator) reaches Hotline when HOTLINE_PUBLIC_URL is unset."""

DEFAULT_REGION = "US"
"""Region assumed for numbers given without a country code."""

DEFAULT_SESSION_TTL = 7 * 24 * 3600
"""Seconds a call's session and event log are kept in Redis after its last change."""

DEFAULT_REPEAT_WINDOW = 24 * 3600
"""Seconds within which a second call about the same issue counts as a repeat call."""

DEFAULT_TICKET_ATTACH_WINDOW = 7 * 24 * 3600
"""Seconds within which a repeat call about the same issue joins the caller's open ticket."""

DEFAULT_LAST_AGENT_WINDOW = 3 * 24 * 3600
"""Seconds after their open ticket's last change within which a repeat caller is offered to
the agent who handled it (when that agent is free)."""

DEFAULT_HELPDESK_TIMEOUT = 10
"""Seconds a helpdesk gets to answer one delivery before it counts as failed (and is retried)."""

DEFAULT_DELIVERY_LOCK_SECONDS = 30
"""Seconds a ticket's delivery lock lives unless renewed. The delivering worker renews it before
each change it sends, so it must outlast one helpdesk request; a worker killed mid-delivery
holds the ticket this long."""

DEFAULT_DELIVERY_SWEEP_SECONDS = 60
"""Seconds between the bridge's sweeps that queue undelivered helpdesk changes again."""


@dataclass(frozen=True)
class DeliverySettings:
    """How ticket changes reach helpdesks (HOTLINE_HELPDESK_TIMEOUT, HOTLINE_DELIVERY_*)."""

    timeout: int = DEFAULT_HELPDESK_TIMEOUT
    lock_seconds: int = DEFAULT_DELIVERY_LOCK_SECONDS
    sweep_seconds: int = DEFAULT_DELIVERY_SWEEP_SECONDS

    def __post_init__(self) -> None:
        if self.lock_seconds <= self.timeout:
            raise ConfigError(
                f"HOTLINE_DELIVERY_LOCK_SECONDS: must be longer than HOTLINE_HELPDESK_TIMEOUT "
                f"({self.timeout} s), or a slow helpdesk lets a second worker send the same "
                f"ticket's changes; got {self.lock_seconds}")


def delivery_settings(env: Mapping[str, str]) -> DeliverySettings:
    base = DeliverySettings()
    return DeliverySettings(
        timeout=_positive_int(env, "HOTLINE_HELPDESK_TIMEOUT", base.timeout),
        lock_seconds=_positive_int(env, "HOTLINE_DELIVERY_LOCK_SECONDS", base.lock_seconds),
        sweep_seconds=_positive_int(env, "HOTLINE_DELIVERY_SWEEP_SECONDS", base.sweep_seconds))


DEFAULT_CALLBACK_CPS = 1.0
"""Outbound calls per second for all workers together: Twilio's default account limit."""

DEFAULT_CALLBACK_BACKOFF = (120, 600, 1800)
"""Seconds before the second, third, ... attempt of a callback (the last value repeats)."""

@dataclass(frozen=True)
class CallbackSettings:
    """How callbacks are offered, paced and retried (HOTLINE_CALLBACK_* variables)."""

    cps: float = DEFAULT_CALLBACK_CPS
    max_attempts: int = 3
    backoff: tuple[int, ...] = DEFAULT_CALLBACK_BACKOFF
    open_at: time = time(9, 0)
    close_at: time = time(17, 0)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    dial_from: time = time(8, 0)
    dial_until: time = time(20, 0)
    timezone: str = "America/New_York"
    """The line's zone: callback times for a caller whose number names no single zone."""
    zone_override: str | None = None
    """A menu's `callbacks: timezone`: callback times in it for every caller."""
    holidays: str | None = None
    """A country (and region) code, hours.NO_HOLIDAYS, or None for the caller's country."""
    slots: int = 3
    customer_first_queues: tuple[str, ...] = ()
    sms: bool = False
    caller_id: str | None = None
    lease: int = 90
    sweep_every: int = 15


@dataclass(frozen=True)
class MessagingSettings:
    """Text messages beyond the callback confirmation (`CallbackSettings.sms`): each note is
    switched on per deployment; replies are answered at most `replies_per_hour` per number."""

    missed: bool = False
    """A note when a callback attempt missed the caller (HOTLINE_SMS_MISSED)."""
    solved: bool = False
    """A note when the caller's ticket is solved (HOTLINE_SMS_SOLVED)."""
    replies_per_hour: int = 10
    from_number: str | None = None
    """The number texts come from when no callback names one (HOTLINE_SMS_FROM)."""


def default_web_workers() -> int:
    """One web process per core, plus one: a webhook's thread waits on Redis at every step, and
    when all of a process's threads wait at once the extra process keeps the cores busy
    (docs/BENCHMARKS.md)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one Hotline deployment."""

    twilio_account_sid: str = DEV_ACCOUNT_SID
    twilio_auth_token: str = DEV_AUTH_TOKEN
    twilio_api_base_url: str | None = None
    twilio_api_key_sid: str | None = None
    """A Twilio API key (SK...) and its secret: they sign agents' softphone tokens."""
    twilio_api_key_secret: str | None = None
    public_url: str = DEFAULT_PUBLIC_URL
    redis_url: str | None = None
    database_url: str | None = None
    admin_token: str | None = None
    menu_file: Path | None = None
    default_region: str = DEFAULT_REGION
    fallback_number: str | None = None
    data_dir: Path = field(default_factory=lambda: Path("var"))
    bind: str = "127.0.0.1:5000"
    web_workers: int = field(default_factory=default_web_workers)
    session_ttl: int = DEFAULT_SESSION_TTL
    repeat_window: int = DEFAULT_REPEAT_WINDOW
    ticket_attach_window: int = DEFAULT_TICKET_ATTACH_WINDOW
    helpdesk_webhook_url: str | None = None
    helpdesk_webhook_secret: str | None = None
    zendesk_url: str | None = None
    zendesk_email: str | None = None
    zendesk_token: str | None = None
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    hold_announce_every: int = 30
    agent_ring_seconds: int = 20
    callback_offer_wait: int = 600
    last_agent_window: int = DEFAULT_LAST_AGENT_WINDOW
    default_handle_time: int = 240
    callbacks: CallbackSettings = field(default_factory=CallbackSettings)
    messaging: MessagingSettings = field(default_factory=MessagingSettings)
    log_format: str = "json"
    log_level: str = "info"
    """`json` (one object a line, for a log shipper) or `text`, for the processes' own logs."""
    recordings_dir: Path | None = None
    """Where processed audio is kept (None: `recordings` under the data directory)."""
    recordings_s3_bucket: str | None = None
    """Keep processed audio in this S3-compatible bucket instead (the `s3` extra)."""
    recordings_s3_endpoint: str | None = None
    """The S3-compatible service's URL (None: AWS S3)."""
    recording_retention_days: int = 90
    transcription: str = "offline"
    """`offline` (pocketsphinx in the worker), `twilio` (Twilio's transcription callback)
    or `off`."""
    metrics_open: bool = False
    """Whether `/metrics` answers without the admin bearer token (a scraper on a private net)."""
    wrong_tokens_allowed: int = 10
    """Wrong tokens one address may send in 15 minutes before it must wait (core.access)."""
    trusted_proxies: int = 0
    """Reverse proxies in front of Hotline whose X-Forwarded-For names the client's address."""

    @property
    def uses_dev_credentials(self) -> bool:
        return self.twilio_auth_token == DEV_AUTH_TOKEN

    @property
    def effective_admin_token(self) -> str | None:
        """The bearer token the admin API accepts, or None when it is closed."""
        if self.admin_token:
            return self.admin_token
        return DEV_ADMIN_TOKEN if self.uses_dev_credentials else None

    @property
    def session_secret(self) -> str:
        """Key for signed browser sessions, the same in every process of a deployment."""
        seed = (self.effective_admin_token or "") + self.twilio_auth_token
        return hmac.new(seed.encode(), b"hotline-browser-session", hashlib.sha256).hexdigest()

    def refuse_public_dev_credentials(self) -> None:
        """ConfigError, naming the variables to set, when a public URL would be served with
        the development credentials: they are published, so anyone could sign webhooks, call
        the admin API and forge agent sessions. Loopback URLs (a local run) may use them."""
        if _is_loopback(self.public_url):
            return
        missing = []
        if self.uses_dev_credentials:
            missing.append("TWILIO_AUTH_TOKEN")
        if self.admin_token == DEV_ADMIN_TOKEN:
            missing.append("HOTLINE_ADMIN_TOKEN")
        if missing:
            raise ConfigError(
                f"HOTLINE_PUBLIC_URL is {self.public_url}, which is not loopback, but "
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} unset or the "
                f"published development value: set {' and '.join(missing)} to this "
                f"deployment's own secret (or use a loopback public URL for a local run)")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from environment variables (see README and .env.example)."""
        env = os.environ if env is None else env
        base = cls()
        return cls(
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or base.twilio_account_sid,
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or base.twilio_auth_token,
            twilio_api_base_url=env.get("TWILIO_API_BASE_URL") or None,
            twilio_api_key_sid=env.get("TWILIO_API_KEY_SID") or None,
            twilio_api_key_secret=env.get("TWILIO_API_KEY_SECRET") or None,
            public_url=(env.get("HOTLINE_PUBLIC_URL") or base.public_url).rstrip("/"),
            redis_url=env.get("REDIS_URL") or None,
            database_url=env.get("DATABASE_URL") or None,
            admin_token=env.get("HOTLINE_ADMIN_TOKEN") or None,
            menu_file=_path(env.get("HOTLINE_MENU")),
            default_region=(env.get("HOTLINE_DEFAULT_REGION") or base.default_region).upper(),
            fallback_number=env.get("HOTLINE_FALLBACK_NUMBER") or None,
            data_dir=Path(env.get("HOTLINE_DATA_DIR") or base.data_dir),
            bind=env.get("HOTLINE_BIND") or base.bind,
            web_workers=_positive_int(env, "HOTLINE_WEB_WORKERS", base.web_workers),
            session_ttl=_positive_int(env, "HOTLINE_SESSION_TTL", base.session_ttl),
            repeat_window=_positive_int(env, "HOTLINE_REPEAT_WINDOW", base.repeat_window),
            ticket_attach_window=_positive_int(env, "HOTLINE_TICKET_ATTACH_WINDOW",
                                               base.ticket_attach_window),
            helpdesk_webhook_url=env.get("HOTLINE_HELPDESK_WEBHOOK_URL") or None,
            helpdesk_webhook_secret=env.get("HOTLINE_HELPDESK_WEBHOOK_SECRET") or None,
            zendesk_url=env.get("ZENDESK_URL") or None,
            zendesk_email=env.get("ZENDESK_EMAIL") or None,
            zendesk_token=env.get("ZENDESK_API_TOKEN") or None,
            delivery=delivery_settings(env),
            hold_announce_every=_positive_int(env, "HOTLINE_HOLD_ANNOUNCE_EVERY",
                                              base.hold_announce_every),
            agent_ring_seconds=_positive_int(env, "HOTLINE_AGENT_RING_SECONDS",
                                             base.agent_ring_seconds),
            callback_offer_wait=_positive_int(env, "HOTLINE_CALLBACK_OFFER_WAIT",
                                              base.callback_offer_wait),
            last_agent_window=_positive_int(env, "HOTLINE_LAST_AGENT_WINDOW",
                                            base.last_agent_window),
            default_handle_time=_positive_int(env, "HOTLINE_DEFAULT_HANDLE_TIME",
                                              base.default_handle_time),
            callbacks=callback_settings(env),
            messaging=MessagingSettings(
                missed=_on(env, "HOTLINE_SMS_MISSED"), solved=_on(env, "HOTLINE_SMS_SOLVED"),
                replies_per_hour=_positive_int(env, "HOTLINE_SMS_REPLIES_PER_HOUR",
                                               MessagingSettings.replies_per_hour),
                from_number=env.get("HOTLINE_SMS_FROM") or None),
            log_format=_choice(env, "HOTLINE_LOG_FORMAT", ("json", "text"), base.log_format),
            log_level=_choice(env, "HOTLINE_LOG_LEVEL", ("debug", "info", "warning", "error"),
                              base.log_level),
            recordings_dir=_path(env.get("HOTLINE_RECORDINGS_DIR")),
            recordings_s3_bucket=env.get("HOTLINE_RECORDINGS_S3_BUCKET") or None,
            recordings_s3_endpoint=env.get("HOTLINE_RECORDINGS_S3_ENDPOINT") or None,
            recording_retention_days=_positive_int(env, "HOTLINE_RECORDING_RETENTION_DAYS",
                                                   base.recording_retention_days),
            transcription=_choice(env, "HOTLINE_TRANSCRIPTION", ("offline", "twilio", "off"),
                                  base.transcription),
            metrics_open=(env.get("HOTLINE_METRICS_OPEN") or "").lower() in ("1", "true", "yes",
                                                                             "on"),
            wrong_tokens_allowed=_positive_int(env, "HOTLINE_WRONG_TOKENS_ALLOWED",
                                               base.wrong_tokens_allowed),
            trusted_proxies=_positive_int(env, "HOTLINE_TRUSTED_PROXIES", base.trusted_proxies,
                                          least=0),
        )


CALLBACK_SECTION = {"timezone": "HOTLINE_CALLBACK_TIMEZONE", "hours": "HOTLINE_CALLBACK_HOURS",
                    "days": "HOTLINE_CALLBACK_DAYS", "dial_hours": "HOTLINE_CALLBACK_DIAL_HOURS",
                    "holidays": "HOTLINE_CALLBACK_HOLIDAYS", "slots": "HOTLINE_CALLBACK_SLOTS"}
"""The keys a menu's `callbacks:` section may set, each with the variable it overrides."""


def callback_settings(env: Mapping[str, str]) -> CallbackSettings:
    """The HOTLINE_CALLBACK_* variables (see README)."""
    read: dict[str, Any] = {}
    for key, name in CALLBACK_SECTION.items():
        if env.get(name):
            try:
                read.update(_callback_fields(key, env[name]))
            except ValueError as exc:
                raise ConfigError(f"{name}: {exc}") from None
    base = CallbackSettings()
    return replace(CallbackSettings(
        cps=_positive_float(env, "HOTLINE_CALLBACK_CPS", base.cps),
        max_attempts=_positive_int(env, "HOTLINE_CALLBACK_MAX_ATTEMPTS", base.max_attempts),
        backoff=_int_list(env, "HOTLINE_CALLBACK_BACKOFF", base.backoff),
        customer_first_queues=tuple(q.strip() for q in
                                    (env.get("HOTLINE_CALLBACK_CUSTOMER_FIRST") or "").split(",")
                                    if q.strip()),
        sms=(env.get("HOTLINE_CALLBACK_SMS") or "").lower() in ("1", "true", "yes", "on"),
        caller_id=env.get("HOTLINE_CALLBACK_CALLER_ID") or None,
        lease=_positive_int(env, "HOTLINE_CALLBACK_LEASE", base.lease),
        sweep_every=_positive_int(env, "HOTLINE_CALLBACK_SWEEP_EVERY", base.sweep_every),
    ), **read)


def with_callback_section(base: CallbackSettings, section: Mapping[str, Any]
                          ) -> tuple[CallbackSettings, list[tuple[str, str]]]:
    """`base` with a menu's `callbacks:` section applied (its `timezone` overriding the
    caller's), read as the variables are, and the key and reason of each value it cannot read
    (which keeps `base`'s)."""
    read: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for key, raw in section.items():
        if key not in CALLBACK_SECTION:
            problems.append((str(key), "unknown field"))
        elif isinstance(raw, bool) or not isinstance(raw, str | int):
            problems.append((key, "must be text"))
        else:
            try:
                read.update(_callback_fields(key, str(raw)))
            except ValueError as exc:
                problems.append((key, str(exc)))
    if "timezone" in read:
        read["zone_override"] = read.pop("timezone")
    return replace(base, **read), problems


def _callback_fields(key: str, raw: str) -> dict[str, Any]:
    """The CallbackSettings fields that `callbacks:` key `key` (or its variable) sets to `raw`."""
    if key in ("hours", "dial_hours"):
        names = ("open_at", "close_at") if key == "hours" else ("dial_from", "dial_until")
        return dict(zip(names, hours.parse_range(raw), strict=True))
    if key == "days":
        return {"days": hours.parse_days(raw)}
    if key == "timezone":
        return {"timezone": hours.parse_zone(raw.strip())}
    if key == "holidays":
        return {"holidays": hours.parse_holidays(raw)}
    if not (raw.strip().isascii() and raw.strip().isdigit()) or int(raw) < 1:
        raise ValueError(f"{raw!r} is not a whole number, 1 or more")
    return {"slots": int(raw)}


def _int_list(env: Mapping[str, str], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = env.get(name)
    if not raw:
        return default
    try:
        values = tuple(int(part) for part in raw.split(","))
    except ValueError:
        raise ConfigError(f"{name}: whole seconds separated by commas, got {raw!r}") from None
    if not values or min(values) <= 0:
        raise ConfigError(f"{name}: every value must be positive, got {raw!r}")
    return values


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: must be a number, got {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"{name}: must be positive, got {raw!r}")
    return value


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _on(env: Mapping[str, str], name: str) -> bool:
    return (env.get(name) or "").lower() in ("1", "true", "yes", "on")


def _positive_int(env: Mapping[str, str], name: str, default: int, least: int = 1) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: must be a whole number, got {raw!r}") from None
    if value < least:
        raise ConfigError(f"{name}: must be {least} or more, got {value}")
    return value


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in allowed:
        raise ConfigError(f"{name}: must be one of {', '.join(allowed)}, not {value!r}")
    return value
