"""Where a caller stands in the menu, carried in the action URL of the question being asked.

Twilio posts the answer to that URL and signs it, so a menu step can be decided from the URL
alone and committed in one round trip instead of two. The URL's `s` is the session's revision
when the question was asked; the commit checks it, so a call that has moved since (or a URL
that does not belong to it) is never stepped from here. Anything missing, stale or unreadable
in the URL just sends the step the ordinary way: read the session, then commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from core.errors import NotFound
from core.process_cache import ProcessCache
from core.session import CallSession
from ivr.menu import Menu
from ivr.navigation import Position

PLACE_FIELDS = ("node", "path", "attempts", "language")
"""The session fields that say where a caller stands: all a step decided here may change."""
PLACES_CACHED = 4096
"""Places kept per process by their query string. Few differ: the menus' nodes, at the step
numbers, tries and languages callers reach them with."""


@dataclass(frozen=True)
class Place:
    """A caller's position in one menu version, as of the session's revision `rev`."""

    rev: int
    menu: Menu
    position: Position
    silence: bool = False
    """The question's silence URL: Twilio heard nothing (only if it ever skips actionOnEmpty)."""

    def session(self, call_sid: str) -> CallSession:
        """The call's session as far as the place tells it: only PLACE_FIELDS (and the menu
        version and revision) are known."""
        position = self.position
        return CallSession(call_sid, menu_version=self.menu.version, node=position.node,
                           path=list(position.path), attempts=position.attempts,
                           language=position.language, rev=self.rev)


def query(menu: Menu, rev: int, position: Position) -> str:
    """The URL query for `position` at revision `rev`: `s` the revision, `v` the menu version,
    `p` the path as node numbers, `a` the failed tries so far, `l` the language's number."""
    numbering = menu.numbering
    nodes = numbering.node_numbers
    path = ".".join(str(nodes[node]) for node in position.path)
    language = numbering.language_numbers[position.language]
    return f"s={rev}&v={menu.version}&p={path}&a={position.attempts}&l={language}"


def read(query: bytes, menu_of: Callable[[str], Menu]) -> Place | None:
    """The place a request's raw query string names, or None when it names none (or nothing
    sensible)."""
    found = _places.find(query)
    if found is not None:
        try:
            # The same version in another menu store (another Redis) is another object.
            if menu_of(found.menu.version) is found.menu:
                return found
        except NotFound:
            return None
    place = _parse(query, menu_of)
    return _places.keep(query, place) if place is not None else None


# Every caller at the same place of the same menu version posts the same query string, and
# parsing it (then checking it against the menu) costs more than the lookup.
_places: ProcessCache[bytes, Place] = ProcessCache(PLACES_CACHED)


def _parse(query: bytes, menu_of: Callable[[str], Menu]) -> Place | None:
    args = dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True))
    try:
        rev, version = int(args["s"]), args["v"]
        path_numbers = [int(number) for number in args["p"].split(".")]
        attempts, language_number = int(args["a"]), int(args["l"])
        menu = menu_of(version)
    except (KeyError, ValueError, NotFound):
        return None
    nodes, languages = menu.numbering.nodes, menu.numbering.languages
    if not (rev > 0 and 0 <= attempts < menu.settings.max_attempts
            and 0 <= language_number < len(languages)
            and all(0 <= number < len(nodes) for number in path_numbers)):
        return None
    path = tuple(nodes[number] for number in path_numbers)
    position = Position(path[-1], path, attempts, languages[language_number])
    return Place(rev, menu, position, silence=bool(args.get("silence")))
