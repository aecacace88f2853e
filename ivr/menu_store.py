"""Published menu trees in Redis, content-addressed by version, so every process serves a call
with the menu version it started on, even while an admin publishes a new one."""

from __future__ import annotations

import redis

from core import keys
from core.errors import NotFound
from core.process_cache import ProcessCache
from core.published_menus import menu_source, store_version
from core.redis_values import text
from core.redis_wire import Command
from ivr.menu import Menu
from ivr.menu_loader import load_menu
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
        self.queue_publication(pipe, menu, source)
        pipe.execute()
        return menu

    def queue_publication(self, pipe: redis.client.Pipeline, menu: Menu, source: str) -> None:
        """Queue on `pipe` making `menu` (read from `source`) the one new calls get."""
        store_version(pipe, menu.version, source, book_of(menu).to_json())
        pipe.set(keys.active_menu(), menu.version)
        self._remember(menu)

    def active_version(self) -> str | None:
        """The version new calls get, if any was published."""
        version = self._redis.get(keys.active_menu())
        return text(version) if version is not None else None

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
