"""MFA (tool_mfa's TOTP factor) enforced for the admin: a password alone stops at login with nothing
changed; the TOTP secret, or a session saved by `provisioner login`, gets the run through."""
from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner

from provisioner.secrets import Secret
from tests.integration.conftest import DECLARED, PLAYBOOK, db_state, run_cli
from tests.integration.signin_helpers import display, enable_totp_mfa, person_at_the_window  # noqa: F401

pytestmark = pytest.mark.integration
ALL_CHANGED = {kind: "changed" for kind in ("webservices", "protocol", "user", "service", "service_functions",
                                            "authorised_user", "access", "token")}


def leaked(secrets: list[str], texts: list[str], artifacts) -> list[str]:
    """Which secrets appear in the outputs or in any file the runs left behind."""
    blobs = [t.encode() for t in texts]
    blobs += [p.read_bytes() for p in artifacts.rglob("*") if p.is_file()] if artifacts.exists() else []
    return [s[:3] + "…" for s in secrets if s and any(s.encode() in blob for blob in blobs)]


def test_password_alone_stops_at_mfa_and_the_totp_secret_converges(fresh_moodle, tmp_path):
    secret = enable_totp_mfa(fresh_moodle)
    before = db_state(fresh_moodle)
    artifacts = tmp_path / "artifacts"

    refused = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--json", "--artifacts-dir", str(artifacts))

    assert refused.code == 1, refused.stderr
    assert "multi-factor authentication" in refused.stderr and "'totp'" in refused.stderr
    assert "--totp-secret-file" in refused.stderr and "provisioner login" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert db_state(fresh_moodle) == before

    secret_file = tmp_path / "totp.txt"
    secret_file.write_text(secret.reveal() + "\n")
    converged = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--json", "--totp-secret-file", str(secret_file),
                        "--artifacts-dir", str(artifacts))

    assert converged.code == 0, converged.stderr
    assert converged.statuses() == ALL_CHANGED
    assert {key: db_state(fresh_moodle)[key] for key in DECLARED} == DECLARED

    # Right away again, from the environment: the same 30 s code was just used, so the next one is waited for.
    again = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--json", env={"MOODLE_TOTP_SECRET": secret.reveal()})
    assert again.code == 0, again.stderr

    texts = [r.stdout + r.stderr for r in (refused, converged, again)]
    assert not leaked([secret.reveal(), fresh_moodle.admin_password.reveal()], texts, artifacts)


def test_a_session_saved_by_provisioner_login_converges_until_it_is_logged_out(fresh_moodle, tmp_path, display):
    secret = enable_totp_mfa(fresh_moodle)
    session = tmp_path / "sessions" / "site.json"
    session.parent.mkdir(mode=0o700)

    with person_at_the_window(fresh_moodle, totp=secret) as done:
        login = CliRunner().invoke(
            __import__("provisioner.cli", fromlist=["cli"]).cli,
            ["login", "--site", fresh_moodle.url, "--session-file", str(session), "--wait", "3"],
            env={"DISPLAY": display})

    assert login.exit_code == 0, login.output
    assert done == ["password", "totp"]
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    cookies = [c["value"] for c in json.loads(session.read_text())["storage_state"]["cookies"]]
    assert cookies, "the site's session cookie was saved"

    # No password: a wrong one in the environment proves the session is what signs in.
    artifacts = tmp_path / "artifacts"
    converged = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--json", "--session-file", str(session),
                        "--artifacts-dir", str(artifacts), password=Secret("not-the-admin-password"))

    assert converged.code == 0, converged.stderr
    assert converged.statuses() == ALL_CHANGED

    fresh_moodle.sql("DELETE FROM mdl_sessions")  # logged out everywhere, as "Log out" or a timeout does
    before = db_state(fresh_moodle)
    expired = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--json", "--session-file", str(session),
                      "--artifacts-dir", str(artifacts))

    assert expired.code == 1, expired.stderr
    assert "sign in again with `provisioner login" in expired.stderr and "Traceback" not in expired.stderr
    assert db_state(fresh_moodle) == before

    texts = [login.output, converged.stdout + converged.stderr, expired.stdout + expired.stderr]
    assert not leaked(cookies + [secret.reveal(), fresh_moodle.admin_password.reveal()], texts, artifacts)
