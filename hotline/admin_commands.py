"""Admin switches that change routing at once: outage flags and the VIP list."""

from __future__ import annotations

import click
import redis

from core.clock import SystemClock
from core.deps import connect
from core.embedded_redis import running_url
from core.errors import InvalidInput, NotFound
from core.phone import parse_caller
from hotline.running import command_settings
from ivr import caller_facts, outage_notice
from ivr.menu import Menu
from ivr.menu_store import MenuStore
from ivr.switches import Switches


def admin_redis() -> redis.Redis:
    """The Redis of the running Hotline these commands change."""
    settings = command_settings()
    url = settings.redis_url or running_url(settings.data_dir)
    if url is None:
        raise click.ClickException(
            f"no running Hotline found: no embedded Redis answers in {settings.data_dir.resolve()}"
            " and no `hotline serve` of yours is running. Start `hotline serve`, or set "
            "HOTLINE_DATA_DIR to the data directory of the one running (`var` in the folder it "
            "was started in) or REDIS_URL to its Redis."
        )
    return connect(url)


_BY = "command line"
"""Who the switches' audit log names for a change made with these commands."""


def _switches(client: redis.Redis) -> Switches:
    return Switches(client, SystemClock())


def _live_menu(client: redis.Redis) -> Menu | None:
    try:
        return MenuStore(client).active()
    except NotFound:
        return None


@click.group()
def outage() -> None:
    """Flag an outage: callers about that issue get high priority, and every caller hears the
    notice once their language is known."""


@outage.command("set")
@click.argument("category")
@click.argument("message")
@click.option("--language", help="the language MESSAGE is in (default: the menu's default); "
              "callers of a language without a notice hear the menu's `outage` message")
def outage_set(category: str, message: str, language: str | None) -> None:
    """Flag CATEGORY (an issue prefix such as `technical`, or `*` for all) with MESSAGE."""
    client = admin_redis()
    try:
        _switches(client).flag_outage(category, message, language, _live_menu(client), _BY)
    except InvalidInput as invalid:
        raise click.BadParameter(invalid.reason, param_hint=invalid.field.upper()) from None
    click.echo(f"outage flagged for {_named(category, language)}: {message}")


@outage.command("clear")
@click.argument("category")
@click.option("--language", help="clear only the notice in this language")
def outage_clear(category: str, language: str | None) -> None:
    """Clear CATEGORY's flag (all its notices, or only the one in --language)."""
    if not _switches(admin_redis()).clear_outage(category, language, _BY):
        raise click.ClickException(f"no outage is flagged for {_named(category, language)}")
    click.echo(f"outage cleared for {_named(category, language)}")


@outage.command("list")
def outage_list() -> None:
    for flag, message in sorted(caller_facts.active_outages(admin_redis()).items()):
        category, _, language = flag.partition(outage_notice.MARK)
        click.echo(f"{_named(category, language or None)}\t{message}")


def _named(category: str, language: str | None) -> str:
    return f"{category} ({language})" if language else category


@click.group()
def vip() -> None:
    """The numbers whose calls get VIP priority."""


@vip.command("add")
@click.argument("number")
def vip_add(number: str) -> None:
    _switches(admin_redis()).add_vip(_e164(number), _BY)
    click.echo(f"VIP: {_e164(number)}")


@vip.command("remove")
@click.argument("number")
def vip_remove(number: str) -> None:
    if not _switches(admin_redis()).remove_vip(_e164(number), _BY):
        raise click.ClickException(f"{number} is not on the VIP list")
    click.echo(f"removed {_e164(number)}")


@vip.command("list")
def vip_list() -> None:
    for number in caller_facts.vip_numbers(admin_redis()):
        click.echo(number)


def _e164(number: str) -> str:
    parsed = parse_caller(number, command_settings().default_region)
    if parsed is None:
        raise click.BadParameter(f"{number!r} is not a phone number", param_hint="NUMBER")
    return parsed.e164
