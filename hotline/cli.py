"""The `hotline` command: serve, worker, call, menu validate, and the admin switches."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """Hotline: routing-only IVR, callbacks instead of hold, a ticket for every call."""


def _register() -> None:
    from hotline.admin_commands import outage, vip
    from hotline.bridge_command import bridge
    from hotline.call_command import call
    from hotline.menu_commands import menu
    from hotline.server import serve, worker

    for command in (serve, worker, bridge, call, menu, outage, vip):
        main.add_command(command)


_register()
