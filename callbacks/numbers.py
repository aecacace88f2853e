"""Checking the number a caller wants to be called back on, with a reason a caller can hear
(its sentence is in `core.phrases`)."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType, ValidationResult, shortnumberinfo

MIN_DIGITS = 3
"""Fewer digits than this are not worth asking phonenumbers about."""


@dataclass(frozen=True)
class Refused:
    """Why a number cannot be called back: a short code naming the rule."""

    rule: str

    @property
    def phrase(self) -> str:
        """The name of the sentence (`core.phrases`) that tells the caller why."""
        return f"number_{self.rule}"


REFUSALS = {rule: Refused(rule) for rule in (
    "too_short", "too_long", "emergency", "short_code", "premium_rate", "invalid")}


_PARSE_ERRORS = {
    phonenumbers.NumberParseException.TOO_LONG: "too_long",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too_short",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too_short",
}


def check_number(raw: str, region: str) -> str | Refused:
    """The E.164 form of `raw` (typed or caller ID, national numbers read in `region`), or
    why it is refused."""
    digits = "".join(ch for ch in raw if ch.isascii() and ch.isdigit())
    plus = "+" if raw.strip().startswith("+") else ""
    if shortnumberinfo.is_emergency_number(digits, region):
        return REFUSALS["emergency"]
    if len(digits) < MIN_DIGITS:
        return REFUSALS["too_short"]
    try:
        number = phonenumbers.parse(plus + digits, region)
    except phonenumbers.NumberParseException as exc:
        return REFUSALS[_PARSE_ERRORS.get(exc.error_type, "invalid")]
    if shortnumberinfo.is_valid_short_number(number):
        return REFUSALS["short_code"]
    length = phonenumbers.is_possible_number_with_reason(number)
    if length in (ValidationResult.TOO_SHORT, ValidationResult.INVALID_LENGTH):
        return REFUSALS["too_short"]
    if length == ValidationResult.TOO_LONG:
        return REFUSALS["too_long"]
    if not phonenumbers.is_valid_number(number):
        return REFUSALS["invalid"]
    if phonenumbers.number_type(number) == PhoneNumberType.PREMIUM_RATE:
        return REFUSALS["premium_rate"]
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def spoken_number(e164: str) -> str:
    """A number read back digit by digit in its national groups: "4 1 5, 5 5 5, 0 1 2 3"."""
    try:
        number = phonenumbers.parse(e164, None)
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        national = e164
    groups = [g for g in "".join(ch if ch.isdigit() else " " for ch in national).split() if g]
    return ", ".join(" ".join(group) for group in groups)
