"""Published menu trees in Redis, content-addressed by version, so every process serves a call
with the menu version it started on, even while an admin publishes a new one."""

from __future__ import annotations

from pathlib import Path

import redis

from core import keys
from core.errors import NotFound
from core.process_cache import ProcessCache
from core.published_menus import menu_source, store_version
from core.redis_values import text
from core.redis_wire import Command
from ivr.menu import Menu
from ivr.menu_loader import example_menu_path, load_menu
from ivr.phrase_book import book_of

CACHE_SIZE = 16
"""Parsed menu versions kept per process; versions are immutable, so caching them is safe."""


class MenuStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._parsed: ProcessCache[str, Menu] = ProcessCache(CACHE_SIZE)

    def publish(self, source: str) -> Menu:
        """Validate `source` and make it the menu new calls get (raises MenuInvalid)."""
        menu = load_menu(source)
        pipe = self._redis.pipeline(transaction=True)
        store_version(pipe, menu.version, source, book_of(menu).to_json())
        pipe.set(keys.active_menu(), menu.version)
        pipe.execute()
        self._remember(menu)
        return menu

    def publish_file(self, path: Path | None) -> Menu:
        """Publish the menu in `path`, or the shipped example when None."""
        return self.publish((path or example_menu_path()).read_text(encoding="utf-8"))

    def active(self) -> Menu:
        return self.active_from(self._redis.get(keys.active_menu()))

    @staticmethod
    def active_read() -> Command:
        """The read `active_from` needs, to share a round trip with other reads."""
        return ("GET", keys.active_menu())

    def active_from(self, version: bytes | str | None) -> Menu:
        """The active menu, given the version read by `active_read`."""
        if version is None:
            raise NotFound("no menu has been published")
        return self.get(text(version))

    def get(self, version: str) -> Menu:
        """The menu published as `version`."""
        menu = self._parsed.find(version)
        if menu is not None:
            return menu
        source = menu_source(self._redis, version)
        if source is None:
            raise NotFound(f"menu version {version!r} is not published")
        return self._remember(load_menu(source))

    def _remember(self, menu: Menu) -> Menu:
        return self._parsed.keep(menu.version, menu)
