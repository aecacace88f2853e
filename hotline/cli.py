"""The `hotline` command: serve, worker, call, menu validate, and the admin switches."""

from __future__ import annotations

import click


class _Commands(click.Group):
    """The command group; a configuration error ends a command with its message (exit 1)
    instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from core.errors import ConfigError

        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Commands)
def main() -> None:
    """Hotline: routing-only IVR, callbacks instead of hold, a ticket for every call."""


def _register() -> None:
    from hotline.admin_commands import outage, vip
    from hotline.bridge_command import bridge
    from hotline.call_command import call
    from hotline.menu_commands import menu
    from hotline.report_command import report
    from hotline.server import serve, worker
    from hotline.sms_command import sms
    from hotline.token_commands import token

    for command in (serve, worker, bridge, call, sms, menu, outage, vip, token, report):
        main.add_command(command)


_register()
