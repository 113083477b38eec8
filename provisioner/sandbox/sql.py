"""Run a query through psql and get rows back, for tests that assert database state.

psql is used rather than a driver so the sandbox needs nothing beyond PostgreSQL itself; values
are quoted here (standard_conforming_strings is on in every supported PostgreSQL).
"""
from __future__ import annotations

import datetime
import decimal

FIELD_SEP, RECORD_SEP, NULL = "\x1f", "\x1e", "\x1a"  # control characters no Moodle value holds
PSQL_OUTPUT_FLAGS = ("-F", FIELD_SEP, "-R", RECORD_SEP, "-P", f"null={NULL}")


def quote(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, decimal.Decimal)):
        return repr(value) if not isinstance(value, decimal.Decimal) else str(value)
    if isinstance(value, (str, datetime.date)):
        text = str(value)
        if "\0" in text:
            raise ValueError("PostgreSQL text cannot hold NUL characters")
        return "'" + text.replace("'", "''") + "'"
    raise TypeError(f"cannot pass {type(value).__name__} as a SQL parameter")


def render(query: str, params: tuple) -> str:
    """DB-API style: each %s takes the next parameter; %% is a literal percent sign."""
    parts = query.split("%%")
    pending = list(params)
    rendered = []
    for part in parts:
        pieces = part.split("%s")
        if len(pieces) - 1 > len(pending):
            raise ValueError(f"query has more %s than the {len(params)} parameter(s) given")
        out = pieces[0]
        for piece in pieces[1:]:
            out += quote(pending.pop(0)) + piece
        rendered.append(out)
    if pending:
        raise ValueError(f"{len(pending)} parameter(s) left over: query has fewer %s")
    return "%".join(rendered)


def parse(output: str) -> list[tuple[str | None, ...]]:
    """psql prints nothing for no rows, else records joined by RECORD_SEP and one final newline."""
    if not output:
        return []
    records = output.removesuffix("\n").split(RECORD_SEP)
    return [tuple(None if field == NULL else field for field in record.split(FIELD_SEP))
            for record in records]
