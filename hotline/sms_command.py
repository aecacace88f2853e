"""`hotline sms`: text a running Hotline as a caller would, and show what it texted back."""

from __future__ import annotations

import click

from hotline.running import command_settings
from simulator.texting import send_text, texts_sent_to
from simulator.transports import HttpTransport


@click.command()
@click.option("--url", help="server base URL (default HOTLINE_PUBLIC_URL)")
@click.option("--from", "sender", default="+14155550123", show_default=True,
              help="the caller's number (From)")
@click.option("--to", "ours", default="+18005550100", show_default=True,
              help="Hotline's number texted (To)")
@click.option("--auth-token", help="Twilio auth token to sign with (default TWILIO_AUTH_TOKEN)")
@click.option("--admin-token", help="bearer token for the simulated network "
                                    "(HOTLINE_ADMIN_TOKEN)")
@click.argument("body", required=False)
def sms(url: str | None, sender: str, ours: str, auth_token: str | None,
        admin_token: str | None, body: str | None) -> None:
    """Show the texts Hotline sent the caller, then (given BODY, e.g. CANCEL) text it and
    show its reply. Example: hotline sms --from +14155550123 LATER"""
    settings = command_settings()
    base_url = (url or settings.public_url).rstrip("/")
    transport = HttpTransport()
    try:
        _show_sent(transport, base_url, admin_token or settings.effective_admin_token, sender)
        if body:
            click.echo(f"{sender} -> {ours}: {body}")
            for reply in send_text(transport, base_url, auth_token or settings.twilio_auth_token,
                                   sender, ours, body):
                click.echo(f"{ours} -> {sender}: {reply}")
    except OSError as exc:
        raise click.ClickException(f"cannot reach Hotline at {base_url}: {exc}") from None
    finally:
        transport.close()


def _show_sent(transport: HttpTransport, base_url: str, admin_token: str | None,
               number: str) -> None:
    sent = texts_sent_to(transport, base_url, admin_token, number)
    if sent is None:
        click.echo("(Hotline talks to Twilio: texts it sent are in Twilio's message log)")
        return
    for message in sent:
        click.echo(f"{message['from']} -> {number}: {message['body']}")
