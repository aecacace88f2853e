"""What a simulated caller does at a prompt, and what a server answers: plain values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    status: int
    body: str


@dataclass(frozen=True)
class Press:
    digits: str


@dataclass(frozen=True)
class Say:
    words: str
    confidence: float = 0.92


@dataclass(frozen=True)
class Silence:
    pass


@dataclass(frozen=True)
class HangUp:
    pass


Input = Press | Say | Silence | HangUp


def parse_input(line: str) -> Input:
    """One scripted input: `press 2`, `say my invoice is wrong`, `silence` or `hangup`."""
    verb, _, rest = line.strip().partition(" ")
    verb = verb.lower()
    if verb == "press" and rest.strip():
        return Press(rest.strip())
    if verb == "say" and rest.strip():
        return Say(rest.strip())
    if verb == "silence":
        return Silence()
    if verb in ("hangup", "hang-up"):
        return HangUp()
    raise ValueError(f"script line {line!r}: expected press DIGITS, say WORDS, silence or hangup")


def keyboard_input(text: str) -> Input:
    """What a line typed at the keyboard means: keys, nothing, `hangup`, or words."""
    stripped = text.strip()
    if not stripped:
        return Silence()
    if stripped.lower() == "hangup":
        return HangUp()
    if all(ch in "0123456789*#" for ch in stripped):
        return Press(stripped)
    return Say(stripped, confidence=0.9)
