"""Hotline's exceptions, in one leaf module so every layer can import them without loops.

    HotlineError
    ├── ConfigError            settings or environment are unusable
    ├── InvalidInput           a caller- or client-supplied value is wrong (field: reason)
    ├── NotFound               a named thing (call, menu version) does not exist
    ├── NotYours               a token's holder may not touch this thing (field: reason)
    ├── MenuInvalid            a menu tree breaks one or more rules (carries MenuProblem list)
    ├── Conflict               a change was based on a revision that is no longer current
    └── EmbeddedRedisError     the embedded Redis server could not be started
"""

from __future__ import annotations

from dataclasses import dataclass


class HotlineError(Exception):
    """Base of every error Hotline raises on purpose."""


class ConfigError(HotlineError):
    """Settings or environment are unusable."""


class InvalidInput(HotlineError):
    """A supplied value is wrong; `field` names it, `reason` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NotFound(HotlineError):
    """A named thing does not exist."""


class NotYours(InvalidInput):
    """The thing `field` names exists but belongs to someone else (an agent asking for
    another agent's ticket or status)."""


class Conflict(HotlineError):
    """A change was made on top of a state (a draft's revision, the active version) that someone
    else has changed since; `current` says what it is now."""

    def __init__(self, message: str, current: str) -> None:
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class MenuProblem:
    """One broken rule in a menu tree: where (`node`), which `rule`, and what is wrong."""

    node: str
    rule: str
    message: str
    where: str = ""
    """The field inside the node at fault (`options[0].goto`), when the rule knows it."""

    def __str__(self) -> str:
        return f"node {self.node!r}: {self.rule}: {self.message}"


class MenuInvalid(HotlineError):
    """A menu tree breaks rules; `problems` lists every one found."""

    def __init__(self, problems: list[MenuProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class EmbeddedRedisError(HotlineError):
    """The embedded Redis server could not be started or reached."""
