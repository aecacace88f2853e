"""The deploy recipe's files that no test runs (no Docker engine or systemd here): each command
they start is one `hotline` accepts, each variable they set is one Hotline reads, the Caddyfile
is one Caddy itself accepts, and compose wires Caddy to where the web service listens.
(tests/deploy/test_reverse_proxy.py runs the Caddyfile and the nginx site for real.)"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import click
import yaml

from hotline.cli import main
from tests.deploy import caddy
from tests.test_configuration_docs import settings_variables

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def hotline_services() -> dict[str, dict[str, Any]]:
    """Compose's services that run the Hotline image (with the shared block merged in)."""
    return {name: service for name, service in compose()["services"].items()
            if service.get("image") == "hotline"}


def unit_lines(key: str) -> list[str]:
    """The values of `key=` in every systemd unit."""
    return [line.split("=", 1)[1] for unit in sorted((DEPLOY / "systemd").glob("*.service"))
            for line in unit.read_text().splitlines() if line.startswith(f"{key}=")]


def dockerfile(instruction: str) -> list[str]:
    return [line.split(None, 1)[1] for line in (DEPLOY / "Dockerfile").read_text().splitlines()
            if line.startswith(f"{instruction} ")]


def commands() -> list[list[str]]:
    found = [list(service["command"]) for service in hotline_services().values()]
    found += [json.loads(cmd) for cmd in dockerfile("CMD")]
    found += [shlex.split(line) for line in unit_lines("ExecStart")]
    return found


def parse_as_hotline(argv: list[str]) -> None:
    """Parse `argv` as the `hotline` command would (options and their values checked, nothing
    run); click's UsageError if it would refuse them."""
    assert Path(argv[0]).name == "hotline", argv
    group: click.Group = main
    ctx = click.Context(group, info_name="hotline")
    rest = argv[1:]
    while True:
        name, command, rest = group.resolve_command(ctx, rest)
        assert command is not None and name is not None
        ctx = command.make_context(name, list(rest), parent=ctx)
        if not isinstance(command, click.Group):
            return
        group, rest = command, ctx.protected_args + ctx.args


def test_every_command_the_deploy_files_start_is_one_hotline_accepts() -> None:
    started = commands()
    assert {argv[1] for argv in started} == {"serve", "worker", "bridge"}
    for argv in started:
        parse_as_hotline(argv)


def test_every_variable_the_deploy_files_set_is_a_setting_hotline_reads() -> None:
    names = {name for service in hotline_services().values()
             for name in service.get("environment", {})}
    names |= {line.split("=", 1)[0] for line in unit_lines("Environment")}
    names |= {line.split("=", 1)[0] for line in dockerfile("ENV")}
    assert names >= {"REDIS_URL", "DATABASE_URL", "HOTLINE_DATA_DIR"}
    assert names - settings_variables() == set()


PLACEHOLDER = re.compile(r"\{\$([A-Z_]+)(?::([^}]*))?\}")
"""A Caddyfile environment placeholder, {$NAME} or {$NAME:default}."""


def caddyfile_as_compose_runs_it(environment: dict[str, str]) -> str:
    text = (DEPLOY / "Caddyfile").read_text()
    for name, default in PLACEHOLDER.findall(text):
        assert name in environment or default, f"compose does not set {name} for Caddy"
    return PLACEHOLDER.sub(lambda m: environment.get(m[1], m[2] or ""), text)


def test_compose_points_caddy_at_the_web_service_and_gives_it_its_variables() -> None:
    services = compose()["services"]
    caddyfile = caddyfile_as_compose_runs_it(services["caddy"]["environment"])
    upstreams = re.findall(r"reverse_proxy\s+(\S+)", caddyfile)
    assert upstreams
    for upstream in upstreams:
        host, port = upstream.rsplit(":", 1)
        web = services[host]
        bind = web["command"][web["command"].index("--bind") + 1]
        assert bind == f"0.0.0.0:{port}", (upstream, bind)
        assert f"127.0.0.1:{port}/health" in " ".join(web["healthcheck"]["test"])
    mounted = [volume.split(":")[0] for volume in services["caddy"]["volumes"]]
    assert all((DEPLOY / source).is_file() for source in mounted if source.startswith("./"))


def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    env = caddy.environment(tmp_path, HOTLINE_DOMAIN="hotline.example.com")
    checked = subprocess.run([caddy.program(), "validate", "--adapter", "caddyfile",
                              "--config", str(caddy.CADDYFILE)],
                             env=env, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert "Valid configuration" in checked.stdout + checked.stderr
