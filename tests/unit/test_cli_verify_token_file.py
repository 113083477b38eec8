"""`verify --token-file` takes the file `run --token-out` wrote, as well as a bare token."""
from __future__ import annotations

import json

import click
import pytest

from provisioner.cli.verify import read_token

TOKEN = "0123456789abcdef0123456789abcdef"


def test_reads_the_json_saved_by_run(tmp_path):
    saved = tmp_path / "enrollait.json"
    saved.write_text(json.dumps({"site_url": "https://school.example", "token": TOKEN}))
    assert read_token(str(saved)).reveal() == TOKEN


def test_reads_a_bare_token(tmp_path):
    bare = tmp_path / "token"
    bare.write_text(TOKEN + "\n")
    assert read_token(str(bare)).reveal() == TOKEN


def test_broken_json_is_refused_without_echoing_it(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"token": "' + TOKEN)
    with pytest.raises(click.UsageError) as refused:
        read_token(str(broken))
    assert TOKEN not in str(refused.value)
