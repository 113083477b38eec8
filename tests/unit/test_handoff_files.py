"""Hand-off files: valid JSON or .env, mode 0600 from creation, replaced atomically."""
from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

from provisioner.errors import HandoffError
from provisioner.handoff.connection import Connection
from provisioner.handoff.files import write_connection
from provisioner.secrets import Secret

TOKEN = "4f1c9e0b7a2d4c6e8f0a1b2c3d4e5f60"


@pytest.fixture
def connection() -> Connection:
    return Connection("https://school.example/moodle", Secret(TOKEN),
                      {"sitename": 'St. "Mary\'s" $chool', "username": "enrollait", "release": "5.0.6+"},
                      {"ok": True, "checked_at": "2026-11-28T04:39:22+00:00"}, verified=True)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_json_file_is_valid_private_and_complete(tmp_path, connection):
    target = tmp_path / "connection.json"
    description = write_connection(target, connection)
    data = json.loads(target.read_text())
    assert data == {"site_url": "https://school.example/moodle", "token": TOKEN,
                    "site_info": connection.site_info, "verification": connection.verification}
    assert mode(target) == 0o600
    assert TOKEN not in description


def test_env_file_sources_in_a_shell_with_the_exact_values(tmp_path, connection):
    target = tmp_path / "enrollait.env"
    write_connection(target, connection)
    assert mode(target) == 0o600
    shell = subprocess.run(["bash", "-c", f'set -a; . "{target}"; printf "%s\\n%s\\n%s" '
                                          '"$MOODLE_SITE_URL" "$MOODLE_TOKEN" "$MOODLE_SITE_NAME"'],
                           capture_output=True, text=True, check=True)
    assert shell.stdout.split("\n") == ["https://school.example/moodle", TOKEN, 'St. "Mary\'s" $chool']


def test_a_file_named_dot_env_is_env_format(tmp_path, connection):
    write_connection(tmp_path / ".env", connection)
    assert (tmp_path / ".env").read_text().startswith("# Moodle connection")


def test_mode_is_0600_even_with_a_permissive_umask_and_an_existing_readable_file(tmp_path, connection):
    target = tmp_path / "connection.json"
    target.write_text("old")
    target.chmod(0o644)
    old_umask = os.umask(0)
    try:
        write_connection(target, connection)
    finally:
        os.umask(old_umask)
    assert mode(target) == 0o600


def test_the_temporary_file_is_private_from_its_first_byte(tmp_path, connection, monkeypatch):
    seen = []
    real_replace = os.replace

    def replace(src, dst):
        seen.append(mode_of(src))
        return real_replace(src, dst)

    def mode_of(p):
        return stat.S_IMODE(os.stat(p).st_mode)

    monkeypatch.setattr(os, "replace", replace)
    write_connection(tmp_path / "c.json", connection)
    assert seen == [0o600]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, connection, monkeypatch):
    target = tmp_path / "connection.json"
    target.write_text('{"previous": true}')

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(HandoffError) as caught:
        write_connection(target, connection)
    assert target.read_text() == '{"previous": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["connection.json"]
    assert TOKEN not in str(caught.value)


def test_missing_directory_is_a_clear_handoff_error(tmp_path, connection):
    with pytest.raises(HandoffError, match="cannot write"):
        write_connection(tmp_path / "nowhere" / "c.json", connection)
