"""Where the running `hotline serve` is, for the commands run beside it from anywhere.

`serve` writes its data directory (absolute), public URL and pid to `serve.json` in that
directory and to a per-user pointer (`$XDG_STATE_HOME/hotline/serve.json`, by default under
`~/.local/state`). A command (`hotline vip list`, `hotline call`, `hotline report`) started in
another folder then finds the embedded Redis, the SQLite ticket store and the URL the server's
signatures are checked against, without HOTLINE_DATA_DIR or HOTLINE_PUBLIC_URL. Variables that
are set always win.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from core.settings import Settings

FILE_NAME = "serve.json"

_ANY_ADDRESS = ("", "0.0.0.0", "::", "[::]")


@dataclass(frozen=True)
class RunningServe:
    """What a running `hotline serve` tells the commands beside it."""

    data_dir: Path
    public_url: str
    pid: int


@dataclass(frozen=True)
class Recorded:
    """What `record` wrote, and the serve the user's pointer named before it."""

    running: RunningServe
    earlier: RunningServe | None


def public_url_of(bind: str) -> str | None:
    """The URL a local caller reaches a server bound to `bind` (`host:port`) at, or None for
    a bind that is no TCP address (`unix:/path`)."""
    host, colon, port = bind.rpartition(":")
    if not colon or not port.isdigit() or host.startswith("unix"):
        return None
    return f"http://{'127.0.0.1' if host in _ANY_ADDRESS else host}:{port}"


def user_pointer(env: Mapping[str, str]) -> Path:
    """The per-user file naming the last `hotline serve` started."""
    state = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "hotline" / FILE_NAME


def record(settings: Settings, env: Mapping[str, str]) -> Recorded:
    """Write where this `serve` runs (data dir, public URL, pid) for the commands beside it."""
    running = RunningServe(settings.data_dir.resolve(), settings.public_url, os.getpid())
    earlier = _read(user_pointer(env))
    for path in (running.data_dir / FILE_NAME, user_pointer(env)):
        _write(path, running)
    return Recorded(running, earlier)


def forget(recorded: Recorded, env: Mapping[str, str]) -> None:
    """Remove the files `record` wrote, unless a later `serve` has written its own since; the
    user's pointer goes back to the serve it named before, if that one still runs."""
    running = recorded.running
    for path in (running.data_dir / FILE_NAME, user_pointer(env)):
        found = _read(path)
        if found is not None and found.pid == running.pid:
            path.unlink(missing_ok=True)
    earlier = recorded.earlier
    if earlier is not None and earlier.pid != running.pid and _alive(earlier.pid) \
            and not user_pointer(env).exists():
        _write(user_pointer(env), earlier)


def found(env: Mapping[str, str] | None = None) -> RunningServe | None:
    """The running `serve` of HOTLINE_DATA_DIR (default `var` here), else, when that variable
    is unset, the last one this user started, if its process is still there."""
    env = os.environ if env is None else env
    candidates = [Settings.from_env(env).data_dir / FILE_NAME]
    if not env.get("HOTLINE_DATA_DIR"):
        candidates.append(user_pointer(env))
    for path in candidates:
        running = _read(path)
        if running is not None and _alive(running.pid):
            return running
    return None


def command_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings for a command run beside a server: the environment's, with the running
    serve's data directory and public URL where HOTLINE_DATA_DIR and HOTLINE_PUBLIC_URL are
    unset."""
    env = os.environ if env is None else env
    settings = Settings.from_env(env)
    running = found(env)
    if running is None:
        return settings
    if not env.get("HOTLINE_DATA_DIR"):
        settings = replace(settings, data_dir=running.data_dir)
    if not env.get("HOTLINE_PUBLIC_URL"):
        settings = replace(settings, public_url=running.public_url)
    return settings


def _write(path: Path, running: RunningServe) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"data_dir": str(running.data_dir),
                                "public_url": running.public_url, "pid": running.pid}) + "\n")


def _read(path: Path) -> RunningServe | None:
    try:
        data = json.loads(path.read_text())
        return RunningServe(Path(data["data_dir"]), str(data["public_url"]), int(data["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
