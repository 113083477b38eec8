import pytest

from provisioner.sandbox.sql import FIELD_SEP, NULL, RECORD_SEP, parse, quote, render


def test_values_become_safe_literals():
    assert render("SELECT %s, %s, %s, %s", ("it's", 3, None, True)) == "SELECT 'it''s', 3, NULL, TRUE"
    assert render("SELECT '100%%' WHERE name = %s", ("x",)) == "SELECT '100%' WHERE name = 'x'"


def test_placeholder_count_must_match():
    with pytest.raises(ValueError, match="more %s"):
        render("SELECT %s, %s", (1,))
    with pytest.raises(ValueError, match="left over"):
        render("SELECT 1", (1,))


def test_unquotable_values_are_refused():
    with pytest.raises(ValueError):
        quote("a\0b")
    with pytest.raises(TypeError):
        quote(object())


def test_psql_output_becomes_rows():
    out = f"a{FIELD_SEP}{NULL}{RECORD_SEP}line\nbreak{FIELD_SEP}\n"
    assert parse(out) == [("a", None), ("line\nbreak", "")]
    assert parse("") == []
    assert parse("\n") == [("",)]  # one row holding an empty string is not "no rows"
