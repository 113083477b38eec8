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


def generate_password(length: int = 24) -> Secret:
    """A password that satisfies Moodle's default policy and stricter variants of it.

    Moodle's policy counts digits, lower, upper and non-alphanumeric characters and may limit
    consecutive identical characters; drawing at least three of each class and never repeating a
    character back to back satisfies every setting a school is likely to use.
    """
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, "*-#!%+=_.:"]
    rng = _stdlib_secrets.SystemRandom()
    while True:
        chars = [rng.choice(c) for c in classes for _ in range(3)]
        chars += [rng.choice("".join(classes)) for _ in range(length - len(chars))]
        rng.shuffle(chars)
        if all(a != b for a, b in zip(chars, chars[1:])):
            return Secret("".join(chars))
