"""A selected site's secrets: read from the environment or files the inventory names, never echoed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from provisioner.errors import PlaybookError
from provisioner.inventory import load_inventory, read_sign_in

PASSWORD = "Adm1n-Fleet-Pass!"
TOTP = "JBSWY3DPEHPK3PXP"


def site_with(tmp_path: Path, sign_in: str):
    path = tmp_path / "inventory.yml"
    path.write_text(f"sites:\n  a:\n    url: https://a.example.edu\n{sign_in}")
    inventory = load_inventory(path)
    return inventory.sites["a"], inventory.path


def test_password_from_the_environment(tmp_path):
    site, path = site_with(tmp_path, "    admin_password: {env: A_PASS}\n")

    sign_in = read_sign_in(site, path, env={"A_PASS": PASSWORD})

    assert sign_in.password.reveal() == PASSWORD
    assert sign_in.totp is None and sign_in.session is None
    assert PASSWORD not in repr(sign_in)


def test_password_and_totp_from_files(tmp_path):
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    (tmp_path / "totp").write_text(f"  {TOTP}\n")
    site, path = site_with(tmp_path, "    admin_password: {file: pw}\n    totp_secret: {file: totp}\n")

    sign_in = read_sign_in(site, path, env={})

    assert sign_in.password.reveal() == PASSWORD  # the editor's final newline dropped
    assert sign_in.totp is not None and len(sign_in.totp.code()) == 6


@pytest.mark.parametrize("sign_in, env, files, words", [
    ("    admin_password: {env: A_PASS}\n", {}, {}, "environment variable A_PASS is not set"),
    ("    admin_password: {env: A_PASS}\n", {"A_PASS": ""}, {}, "$A_PASS is empty"),
    ("    admin_password: {file: pw}\n", {}, {}, "No such file"),
    ("    admin_password: {file: pw}\n", {}, {"pw": "\n"}, "is empty"),
    ("    admin_password: {env: P}\n    totp_secret: {env: T}\n", {"P": PASSWORD, "T": "not base32!"}, {},
     "not a TOTP secret"),
])
def test_unreadable_secrets_are_bad_input_naming_the_line(tmp_path, sign_in, env, files, words):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    site, path = site_with(tmp_path, sign_in)

    with pytest.raises(PlaybookError) as caught:
        read_sign_in(site, path, env=env)

    message = str(caught.value)
    assert message.startswith(f"{path}:") and "site 'a'" in message and words in message
    assert PASSWORD not in message


def test_a_session_file_readable_by_others_is_refused(tmp_path):
    session = tmp_path / "s.json"
    session.write_text(json.dumps({"format": "moodle-provisioner-session/1", "site_url": "https://a.example.edu",
                                   "storage_state": {"cookies": [], "origins": []}}))
    session.chmod(0o644)
    site, path = site_with(tmp_path, "    session_file: s.json\n")

    with pytest.raises(PlaybookError) as caught:
        read_sign_in(site, path, env={})
    assert "session_file" in str(caught.value) and "others can read it" in str(caught.value)

    session.chmod(0o600)
    assert read_sign_in(site, path, env={}).session.site_url == "https://a.example.edu"
