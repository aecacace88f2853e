"""`hotline token`: issue, list and revoke the API's and pages' tokens."""

from __future__ import annotations

import time

import click

from core.access import Role, TokenStore
from core.errors import NotFound
from hotline.admin_commands import admin_redis
from hotline.running import command_settings
from queues.agents import AgentRegistry


def _store() -> TokenStore:
    return TokenStore(admin_redis(), command_settings().effective_admin_token)


@click.group()
def token() -> None:
    """Tokens: each carries a role (admin, agent, report); only a digest of it is kept."""


@token.command("issue")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.argument("name")
def token_issue(role: str, name: str) -> None:
    """Issue a token for NAME (for the agent role, a registered agent's id) and print it once."""
    if role == Role.AGENT and AgentRegistry(admin_redis()).get(name) is None:
        raise click.ClickException(f"no agent {name!r}: register the agent first")
    secret, grant = _store().issue(Role(role), name, time.time())
    click.echo(f"{grant.role.value} token for {grant.name} (id {grant.id}), shown only now:")
    click.echo(secret)


@token.command("list")
def token_list() -> None:
    for grant in _store().all():
        issued = time.strftime("%Y-%m-%d %H:%M", time.gmtime(grant.created_at))
        click.echo(f"{grant.id}\t{grant.role.value}\t{grant.name}\tissued {issued} UTC")


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke the token with id TOKEN_ID (see `hotline token list`); it stops working at once."""
    try:
        grant = _store().revoke(token_id)
    except NotFound as missing:
        raise click.ClickException(str(missing)) from None
    click.echo(f"revoked {grant.role.value} token {grant.id} of {grant.name}")
