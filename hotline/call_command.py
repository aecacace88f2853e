"""`hotline call`: place a simulated call into a running Hotline server."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from core.settings import Settings
from hotline.running import command_settings
from simulator.caller import CallResult, CallSimulator, fetch_transcript
from simulator.inputs import Input, Press, Say, Silence, parse_input
from simulator.player import CallEnded
from simulator.transports import HttpTransport

STEPS_HELP = """
Caller inputs, answered to the menu's questions in the order given:

\b
  --press DIGITS     press keys, e.g. --press 1
  --say "WORDS"      say something, e.g. --say "my invoice is wrong"
  --silence          stay silent at one question

With no inputs and a terminal, the call is interactive: type keys, words, an empty line for
silence, or `hangup`. Example: hotline call --press 1 --say "my invoice is wrong" --press 1
"""


def parse_steps(tokens: Sequence[str], confidence: float) -> list[Input]:
    """The caller inputs in `tokens` (`--press 1 --say words --silence`), in order."""
    inputs: list[Input] = []
    items = list(tokens)
    while items:
        flag = items.pop(0)
        name, has_value, inline = flag.partition("=")
        if name == "--silence":
            inputs.append(Silence())
            continue
        if name not in ("--press", "--say"):
            raise click.UsageError(f"unknown option or input {flag!r}")
        if not has_value:
            if not items:
                raise click.UsageError(f"{name} needs a value")
            inline = items.pop(0)
        if name == "--press":
            if not inline or any(ch not in "0123456789*#" for ch in inline):
                raise click.BadParameter(f"{inline!r}: keys are 0-9, * and #", param_hint=name)
            inputs.append(Press(inline))
        else:
            inputs.append(Say(inline, confidence))
    return inputs


@click.command(context_settings={"ignore_unknown_options": True}, epilog=STEPS_HELP)
@click.option("--url", help="server base URL (default HOTLINE_PUBLIC_URL)")
@click.option("--from", "caller", default="+14155550123", show_default=True,
              help="the caller's number (From)")
@click.option("--to", "called", default="+18005550100", show_default=True,
              help="the number called (To)")
@click.option("--confidence", default=0.92, show_default=True,
              help="speech recognition confidence reported with --say")
@click.option("--script", type=click.Path(exists=True, path_type=Path),
              help="file of inputs, one per line: press 2 | say words | silence | hangup")
@click.option("--interactive/--no-interactive", default=None,
              help="ask at each question (default: when no inputs are given and on a terminal)")
@click.option("--auth-token", help="Twilio auth token to sign with (default TWILIO_AUTH_TOKEN)")
@click.option("--admin-token", help="bearer token for the transcript (HOTLINE_ADMIN_TOKEN)")
@click.option("--hold", "hold_seconds", default=0.0, show_default=True,
              help="seconds the caller stays on hold for an agent once out of inputs "
                   "(0: hangs up at the first announcement)")
@click.option("--await-callback", "await_callback", type=click.IntRange(min=0), default=0,
              help="after the call, wait this many seconds for Hotline to call back (without "
                   "Twilio; needs `hotline worker`) and answer it")
@click.argument("steps", nargs=-1, type=click.UNPROCESSED)
def call(url: str | None, caller: str, called: str, confidence: float, script: Path | None,
         interactive: bool | None, auth_token: str | None, admin_token: str | None,
         hold_seconds: float, await_callback: int, steps: tuple[str, ...]) -> None:
    """Place a simulated call into a running Hotline, as Twilio would, and print its transcript."""
    settings = command_settings()
    inputs = parse_steps(steps, confidence)
    if script is not None:
        inputs += [parse_input(line) for line in script.read_text().splitlines() if line.strip()]
    if interactive is None:
        interactive = not inputs and sys.stdin.isatty()
    base_url = (url or settings.public_url).rstrip("/")
    transport = HttpTransport()
    admin_token = admin_token or settings.effective_admin_token
    simulator = CallSimulator(
        transport, base_url, auth_token or settings.twilio_auth_token, caller=caller,
        called=called, inputs=inputs, ask=_ask if interactive else None, out=click.echo,
        admin_token=admin_token, hold_seconds=hold_seconds,
    )
    try:
        result = simulator.run()
        click.echo(f"Call ended: {result.ended_by}")
        for line in fetch_transcript(transport, base_url, result.call_sid, admin_token):
            click.echo(line)
        if await_callback and result.ok:
            result = _answer_callback(settings, transport, base_url, auth_token, admin_token,
                                      caller, await_callback)
    except OSError as exc:
        raise click.ClickException(f"cannot reach Hotline at {base_url}: {exc}") from None
    finally:
        transport.close()
    if not result.ok:
        raise SystemExit(1)


def _answer_callback(settings: Settings, transport: HttpTransport, base_url: str,
                     auth_token: str | None, admin_token: str | None, caller: str,
                     timeout: int) -> CallResult:
    from simulator.callback import RingingBack, wait_for_call

    admin_token = admin_token or settings.effective_admin_token
    click.echo(f"Waiting up to {timeout} s for Hotline to call {caller} back...")
    try:
        placed = wait_for_call(transport, base_url, admin_token, caller, timeout)
    except CallEnded as refused:
        raise click.ClickException(str(refused)) from None
    if placed is None:
        click.echo("No callback came.")
        return CallResult(call_sid="", ended_by="error: no callback", ok=False)
    click.echo(f"Ring ring: Hotline calls back from {placed['from_']} ({placed['call_sid']})")
    result = RingingBack(transport, auth_token or settings.twilio_auth_token, placed,
                         out=click.echo).run()
    click.echo(f"Callback ended: {result.ended_by}")
    for line in fetch_transcript(transport, base_url, result.call_sid, admin_token):
        click.echo(line)
    return result


def _ask(prompt: str) -> str:
    return input("your answer (keys, words, empty = silence, hangup)> ")
