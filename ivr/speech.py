"""Matching what a caller said against a node's speech phrases: pure text work, no I/O."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5",
    "seis": "6", "siete": "7", "ocho": "8", "nueve": "9",
}
_DIGIT_LEADS = {"press", "option", "number", "oprimo", "opcion", "numero", "marcar"}


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, single spaces: how phrases are compared."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


def best_match(speech: str, candidates: Mapping[str, Iterable[str]]) -> str | None:
    """The candidate whose phrase occurs in `speech` as whole words; the longest phrase wins,
    then the one said first. None when no phrase occurs."""
    heard = f" {normalise(speech)} "
    best: tuple[int, int, str] | None = None
    for name, phrases in candidates.items():
        for phrase in phrases:
            wanted = normalise(phrase)
            at = heard.find(f" {wanted} ") if wanted else -1
            if at < 0:
                continue
            rank = (-len(wanted.split()), at, name)
            if best is None or rank[:2] < best[:2]:
                best = rank
    return best[2] if best else None


def spoken_key(speech: str) -> str | None:
    """The key a caller named by voice ("two", "press 2", "option two"), else None.

    Only a whole utterance counts, so "down for 2 days" is not option 2.
    """
    words = normalise(speech).split()
    if words and words[0] in _DIGIT_LEADS:
        words = words[1:]
    if len(words) != 1:
        return None
    word = words[0]
    if len(word) == 1 and word.isascii() and word.isdigit():
        return word
    return _DIGIT_WORDS.get(word)


def contains_any(speech: str, phrases: Iterable[str]) -> bool:
    """True when any phrase occurs in `speech` as whole words."""
    heard = f" {normalise(speech)} "
    return any(f" {normalise(p)} " in heard for p in phrases if normalise(p))


def words_covered(speech: str, phrases: Iterable[str]) -> int:
    """How many of the words in `speech` belong to an occurrence of one of `phrases`: how much
    of what was said a vocabulary (one language's phrases, say) accounts for."""
    heard = normalise(speech).split()
    covered: set[int] = set()
    for phrase in phrases:
        wanted = normalise(phrase).split()
        size = len(wanted)
        for at in range(len(heard) - size + 1) if size else ():
            if heard[at:at + size] == wanted:
                covered.update(range(at, at + size))
    return len(covered)
