"""Payment card data masked out of text before it is stored or logged (PCI DSS): card numbers
(13 to 19 digits, spaces or dashes allowed, that pass the Luhn check) keep only their last
four digits, expiry dates and security codes named as such become `**`. Deterministic: the
same text always masks the same way, so masked lines still compare and group."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

CARD = re.compile(r"(?<![\w+])\d(?:[ -]?\d){12,18}(?!\w)")
"""A run of 13-19 digits, single spaces or dashes between them; not after `+` (a phone) nor
inside a word (a SID such as `CA…` may hold a long run of digits)."""

EXPIRY = re.compile(r"(?<![\d/.:-])(0[1-9]|1[0-2]) ?/ ?(\d{4}|\d{2})(?![\d/.:-])")
"""MM/YY or MM/YYYY standing alone (not part of a longer date such as 11/24/2026)."""

SECURITY_CODE = re.compile(
    r"\b(cvv2?|cvc2?|cid|security code|card code|código de seguridad)(\W{0,3}(?:is|es)?\W{0,3})"
    r"(\d{3,4})(?!\d)", re.IGNORECASE)


def luhn_valid(digits: str) -> bool:
    """Whether `digits` (only digits) passes the Luhn checksum card numbers carry."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


MAYBE = re.compile(r"\d\d")
LONG_RUN = re.compile(r"\d(?:[ -]?\d){12}")
CODE_NAME = re.compile(r"c(?:vv|vc|id|ode)|código", re.IGNORECASE)


def could_hold_card_data(text: str) -> bool:
    """Whether `text` has what any pattern needs (two digits in a row, then 13 digits, a
    slash or a code's name): the rest is left at once, as this runs on every event of every
    webhook step (cheapest test first)."""
    return MAYBE.search(text) is not None and (
        "/" in text or LONG_RUN.search(text) is not None or CODE_NAME.search(text) is not None)


def mask(text: str) -> str:
    """`text` with card numbers, expiry dates and security codes masked."""
    if not could_hold_card_data(text):
        return text
    text = CARD.sub(_card, text)
    text = SECURITY_CODE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return EXPIRY.sub("**/**", text)


def mask_all_digits(text: str) -> str:
    """Every digit of `text` masked: what a caller keys at a sensitive menu node."""
    return re.sub(r"\d", "*", text)


def masked_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` with every string in it (nested too) masked."""
    return {key: value if type(value) is not str and not isinstance(value, Mapping | list)
            else _masked_value(value) for key, value in fields.items()}


def _masked_value(value: Any) -> Any:
    if type(value) is str:
        return mask(value)
    if isinstance(value, Mapping):
        return masked_fields(value)
    if isinstance(value, list):
        return [_masked_value(v) for v in value]
    return value


def _card(found: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", found.group(0))
    if not luhn_valid(digits):
        return found.group(0)
    return "*" * (len(digits) - 4) + digits[-4:]
