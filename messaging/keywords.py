"""What a caller's text message asks, read from its first words in English or Spanish: CANCEL,
LATER, STATUS, STOP, START, HELP, or the number of a time offered. Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Command(StrEnum):
    CANCEL = "cancel"
    LATER = "later"
    STATUS = "status"
    STOP = "stop"
    START = "start"
    CHOICE = "choice"
    HELP = "help"


KEYWORDS: dict[str, dict[str, Command]] = {
    "en": {"CANCEL": Command.CANCEL, "LATER": Command.LATER, "RESCHEDULE": Command.LATER,
           "MOVE": Command.LATER, "STATUS": Command.STATUS, "STOP": Command.STOP,
           "STOPALL": Command.STOP, "UNSUBSCRIBE": Command.STOP, "END": Command.STOP,
           "QUIT": Command.STOP, "START": Command.START, "UNSTOP": Command.START,
           "HELP": Command.HELP, "INFO": Command.HELP},
    "es": {"CANCELAR": Command.CANCEL, "MAS TARDE": Command.LATER, "DESPUES": Command.LATER,
           "LUEGO": Command.LATER, "CAMBIAR": Command.LATER, "ESTADO": Command.STATUS,
           "ALTO": Command.STOP, "PARAR": Command.STOP, "BAJA": Command.STOP,
           "INICIO": Command.START, "COMENZAR": Command.START, "ALTA": Command.START,
           "AYUDA": Command.HELP},
}
"""Keywords by language, written without accents (a reply's accents are dropped first)."""

_LONGEST = max(len(k.split()) for by in KEYWORDS.values() for k in by)


@dataclass(frozen=True)
class Asked:
    """What a message asks, the language its keyword is in ("" when it tells none) and, for
    a choice, the number replied."""

    command: Command
    language: str = ""
    choice: int = 0


def read(body: str) -> Asked:
    """The command in `body`: its first words as a keyword, a lone number as a choice, else
    a request for help."""
    words = _plain(body).split()
    if len(words) == 1 and words[0].isdigit() and len(words[0]) <= 2:
        return Asked(Command.CHOICE, choice=int(words[0]))
    for count in range(min(_LONGEST, len(words)), 0, -1):
        phrase = " ".join(words[:count])
        for language, keywords in KEYWORDS.items():
            if phrase in keywords:
                return Asked(keywords[phrase], language)
    return Asked(Command.HELP)


def _plain(body: str) -> str:
    """Upper case, accents and punctuation dropped: "¡Más tarde!" -> "MAS TARDE"."""
    decomposed = unicodedata.normalize("NFKD", body[:160])
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^\w\s]", " ", bare).upper()
