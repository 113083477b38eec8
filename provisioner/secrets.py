"""Secrets print as *** everywhere (repr, str, format, logs); only .reveal() gives the value.

Every Secret also registers its value so that `redact()` can scrub text that came from
elsewhere (a Moodle error page echoing a value, an exception message) before it is shown.
"""
from __future__ import annotations

import secrets as _stdlib_secrets
import string

from pydantic_core import core_schema

MASK = "***"
_known_values: set[str] = set()


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str):
        if isinstance(value, Secret):
            value = value.reveal()
        self._value = str(value)
        if len(self._value) >= 4:
            _known_values.add(self._value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self):  # pickling would bypass the mask in traces; refuse it
        raise TypeError("Secret values are not picklable")

    @classmethod
    def __get_pydantic_core_schema__(cls, source, handler):
        return core_schema.no_info_plain_validator_function(
            lambda v: v if isinstance(v, Secret) else Secret(v),
            serialization=core_schema.plain_serializer_function_ser_schema(lambda v: MASK),
        )


def redact(text: str) -> str:
    """Replace every known secret value in text by ***."""
    for value in sorted(_known_values, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


def redact_all(value):
    """redact() through the strings of nested dicts and lists (reports before they are printed)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_all(item) for item in value]
    return value


def generate_password(length: int = 24, lower: int = 3, upper: int = 3, digits: int = 3,
                      special: int = 3) -> Secret:
    """A password meeting Moodle's password policy: at least so many of each character class.

    The defaults exceed Moodle's default policy (8 characters, one of each class); a site's stricter
    minimums are passed in. No character repeats back to back (maxconsecutiveidentchars).
    """
    needs = [(string.ascii_lowercase, lower), (string.ascii_uppercase, upper), (string.digits, digits),
             ("*-#!%+=_.:", special)]
    classes = [chars for chars, _ in needs]
    length = max(length, sum(count for _, count in needs))
    rng = _stdlib_secrets.SystemRandom()
    while True:
        chars = [rng.choice(c) for c, count in needs for _ in range(count)]
        chars += [rng.choice("".join(classes)) for _ in range(length - len(chars))]
        rng.shuffle(chars)
        if all(a != b for a, b in zip(chars, chars[1:])):
            return Secret("".join(chars))
