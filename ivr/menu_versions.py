"""The menu's versions as admins see them: one shared draft with a revision number, every
version ever published, publication and rollback, and the audit log of who did what when.

Everything is in Redis, so every web process serves the version published last the moment
it is (no restart), and a call keeps the version it started on (`ivr.menu_store` holds every
version). Each change is checked against what its author last read (the draft's revision, the
active version) inside a WATCH transaction: a stale save or publish is refused as a Conflict
rather than overwriting a colleague's work.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar, cast

import orjson
import redis

from core import keys
from core.clock import Clock, isoformat
from core.errors import Conflict, NotFound
from core.published_menus import menu_source
from core.redis_values import text, text_map
from ivr.menu import Menu
from ivr.menu_loader import example_menu_path, load_menu
from ivr.menu_store import MenuStore
from ivr.menu_yaml import canonical

DRAFT = "draft"
"""The name that stands for the draft where a version is expected (diffs, sources)."""
ACTIVE = "active"
"""The name that stands for the version new calls get."""
T = TypeVar("T")
HISTORY_SHOWN = 500
"""Audit entries a listing returns, newest first; the log itself keeps every one."""


@dataclass(frozen=True)
class Draft:
    source: str
    revision: int
    saved_by: str
    saved_at: str

    def to_dict(self) -> dict[str, object]:
        return {"source": self.source, "revision": self.revision, "saved_by": self.saved_by,
                "saved_at": self.saved_at}


@dataclass(frozen=True)
class Published:
    version: str
    published_at: str
    active: bool

    def to_dict(self) -> dict[str, object]:
        return {"version": self.version, "published_at": self.published_at,
                "active": self.active}


class MenuVersions:
    """The draft, the published versions and the audit log of the menu in one Redis."""

    def __init__(self, client: redis.Redis, clock: Clock, menus: MenuStore) -> None:
        self._redis = client
        self._clock = clock
        self.menus = menus

    def draft(self) -> Draft | None:
        return _draft_from(text_map(self._redis.hgetall(keys.menu_draft())))

    def save_draft(self, source: str, revision: int, by: str) -> Draft:
        """Save `source` as the draft (valid or not), if `revision` is the draft's revision
        its author started from (0: there was none); Conflict else."""
        def attempt(pipe: redis.client.Pipeline) -> Draft:
            current = _draft_from(text_map(pipe.hgetall(keys.menu_draft())))
            _check_revision(current, revision)
            saved = Draft(source, revision + 1, by, isoformat(self._clock.now()))
            pipe.multi()
            pipe.hset(keys.menu_draft(), mapping={
                "source": source, "revision": saved.revision, "saved_by": by,
                "saved_at": saved.saved_at})
            self._log(pipe, by, "saved draft", revision=saved.revision)
            return saved

        return self._watching(keys.menu_draft(), attempt)

    def publish_draft(self, revision: int, by: str) -> Menu:
        """Publish the draft if it is still at `revision` and keeps every rule (MenuInvalid
        else), atomically: new calls get it at once."""
        def attempt(pipe: redis.client.Pipeline) -> Menu:
            current = _draft_from(text_map(pipe.hgetall(keys.menu_draft())))
            if current is None:
                raise NotFound("there is no draft to publish")
            _check_revision(current, revision)
            menu = load_menu(current.source, "the draft")
            pipe.multi()
            self._queue_publication(pipe, menu, current.source, by, "published draft",
                                    revision)
            return menu

        return self._watching(keys.menu_draft(), attempt)

    def publish_source(self, source: str, by: str, action: str = "published") -> Menu:
        """Publish `source` directly (the CLI, a server's menu file), keeping every rule."""
        menu = load_menu(source)
        pipe = self._redis.pipeline(transaction=True)
        self._queue_publication(pipe, menu, source, by, action, None)
        pipe.execute()
        return menu

    def seed(self, path: Path | None) -> Menu:
        """At a server's start: publish the menu file (the shipped example when None) when no
        menu is active or the file changed since a server last published it; otherwise leave
        the active version alone, which an admin may have published since."""
        source = (path or example_menu_path()).read_text(encoding="utf-8")
        menu = load_menu(source, str(path or "the example menu"))
        seeded = self._redis.get(keys.menu_seeded())
        active = self.menus.active_version()
        if active is not None and seeded is not None and text(seeded) == menu.version:
            return self.menus.get(active)
        pipe = self._redis.pipeline(transaction=True)
        self._queue_publication(pipe, menu, source, "server start",
                                f"published {path or 'the example menu'}", None)
        pipe.set(keys.menu_seeded(), menu.version)
        pipe.execute()
        return menu

    def rollback(self, version: str, by: str, expected_active: str | None = None) -> Menu:
        """Make the earlier published `version` the one new calls get; Conflict when
        `expected_active` is given and another version became active meanwhile."""
        def attempt(pipe: redis.client.Pipeline) -> Menu:
            if pipe.zscore(keys.menu_published(), version) is None:
                raise NotFound(f"menu version {version!r} was never published")
            active = pipe.get(keys.active_menu())
            if expected_active is not None and (active is None or text(active)
                                                != expected_active):
                raise Conflict("another version was published meanwhile",
                               text(active) if active is not None else "")
            menu = self.menus.get(version)
            pipe.multi()
            pipe.set(keys.active_menu(), version)
            self._log(pipe, by, "rolled back", version=version)
            return menu

        return self._watching(keys.active_menu(), attempt)

    def published(self) -> list[Published]:
        """Every version ever published, newest first."""
        active = self.menus.active_version()
        found = self._redis.zrevrange(keys.menu_published(), 0, -1, withscores=True)
        return [Published(text(v), isoformat(datetime.fromtimestamp(float(score), UTC)),
                          text(v) == active) for v, score in cast(list[tuple[bytes, float]],
                                                                  found)]

    def history(self) -> list[dict[str, object]]:
        """The audit log, newest first (the latest HISTORY_SHOWN entries)."""
        raw = self._redis.lrange(keys.menu_history(), -HISTORY_SHOWN, -1)
        return [orjson.loads(entry) for entry in reversed(raw)]

    def source(self, name: str) -> str:
        """The YAML (or JSON) source of a published version, the draft or the active one."""
        if name == DRAFT:
            draft = self.draft()
            if draft is None:
                raise NotFound("there is no draft")
            return draft.source
        version = self.menus.active_version() if name == ACTIVE else name
        found = menu_source(self._redis, version) if version else None
        if found is None:
            raise NotFound(f"menu version {name!r} is not published")
        return found

    def diff(self, old: str, new: str) -> list[str]:
        """The unified diff from version `old` to `new` (either may be `draft` or `active`),
        of what they say: both written out the same way, so layout and comments do not count."""
        before, after = canonical(self.source(old)), canonical(self.source(new))
        return [line.rstrip("\n") for line in difflib.unified_diff(
            before.splitlines(), after.splitlines(), old, new, lineterm="")]

    def _watching(self, key: str, attempt: Callable[[redis.client.Pipeline], T]) -> T:
        """`attempt`'s result, run again whenever `key` changed before it could commit."""
        results: list[T] = []

        def run(pipe: redis.client.Pipeline) -> None:
            results[:] = [attempt(pipe)]

        self._redis.transaction(run, key)
        return results[0]

    def _queue_publication(self, pipe: redis.client.Pipeline, menu: Menu, source: str,
                           by: str, action: str, revision: int | None) -> None:
        self.menus.queue_publication(pipe, menu, source)
        pipe.zadd(keys.menu_published(), {menu.version: self._clock.now().timestamp()},
                  nx=True)
        self._log(pipe, by, action, version=menu.version, revision=revision)

    def _log(self, pipe: redis.client.Pipeline, by: str, action: str,
             version: str | None = None, revision: int | None = None) -> None:
        entry = {"at": isoformat(self._clock.now()), "by": by, "action": action,
                 "version": version, "revision": revision}
        pipe.rpush(keys.menu_history(), orjson.dumps(entry))



def _draft_from(fields: dict[str, str]) -> Draft | None:
    if "source" not in fields:
        return None
    return Draft(fields["source"], int(fields.get("revision", "0")),
                 fields.get("saved_by", ""), fields.get("saved_at", ""))


def _check_revision(current: Draft | None, revision: int) -> None:
    now = current.revision if current is not None else 0
    if now != revision:
        who = f" by {current.saved_by} at {current.saved_at}" if current else ""
        raise Conflict(f"the draft is at revision {now} (saved{who}), not {revision}; "
                       "reload it and apply your change again", str(now))
