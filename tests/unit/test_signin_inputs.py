"""Sign-in inputs, checked before any browser starts: TOTP secrets, saved session files, and the
`run`/`login` options that carry them (exit 2 on bad input, secrets never echoed)."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from provisioner import app, session_file
from provisioner.browser.tab import _within
from provisioner.cli import cli
from provisioner.errors import PlaybookError
from provisioner.secrets import Secret, redact
from provisioner.session_file import SavedSession
from provisioner.totp import Totp

ENROLLAIT = str(Path(__file__).resolve().parents[2] / "playbooks" / "enrollait.yml")
SITE = "https://school.example/moodle"
RFC6238_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # the RFC's ASCII "12345678901234567890"
MOODLE_SECRET = "JBSWY3DPEHPK3PXP"  # 16 characters (80 bits), as Moodle's factor_totp makes them
COOKIE = "s3ss10nc00k1ev4lue"


# --- TOTP ------------------------------------------------------------------------------------------
def test_totp_matches_the_rfc_6238_test_vector():
    totp = Totp(Secret(RFC6238_SECRET), "test")
    assert totp.code(at=59) == "287082"  # RFC 6238 appendix B, SHA-1, last six of 94287082
    assert totp.seconds_to_next_code(at=59) == 1


@pytest.mark.parametrize("text", [MOODLE_SECRET, "jbsw y3dp ehpk 3pxp\n",
                                  f"otpauth://totp/School:admin?secret={MOODLE_SECRET}&issuer=School"])
def test_totp_accepts_moodles_short_secret_in_the_forms_people_copy(text):
    assert Totp(Secret(text), "test").code(at=0) == Totp(Secret(MOODLE_SECRET), "test").code(at=0)


@pytest.mark.parametrize("text", ["not base32!", "ABC", "otpauth://hotp/x?secret=" + MOODLE_SECRET,
                                  "otpauth://totp/x?issuer=nosecret"])
def test_a_bad_totp_secret_is_bad_input_and_not_echoed(text):
    with pytest.raises(PlaybookError) as refused:
        Totp(Secret(text), "--totp-secret-file f")
    assert "--totp-secret-file f" in str(refused.value) and text not in str(refused.value)


def test_totp_never_shows_its_secret():
    totp = Totp(Secret("jbsw y3dp ehpk 3pxp"), "$MOODLE_TOTP_SECRET")
    assert MOODLE_SECRET not in repr(totp) and redact(f"x {MOODLE_SECRET} y") == "x *** y"


# --- session files -----------------------------------------------------------------------------------
def saved(site: str = SITE) -> SavedSession:
    state = {"cookies": [{"name": "MoodleSession", "value": COOKIE, "domain": "school.example", "path": "/"}],
             "origins": []}
    return SavedSession(site, "admin", Secret(json.dumps(state)), "2026-01-01T00:00:00+00:00")


def test_default_path_is_one_file_per_site_under_the_state_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert session_file.default_path("https://School.example:8443/moodle/") == (
        tmp_path / "moodle-provisioner" / "sessions" / "school.example_8443_moodle.json")
    assert session_file.site_slug("http://127.0.0.1:8250") == "127.0.0.1_8250"


def test_the_default_folder_is_made_private(monkeypatch, tmp_path):
    path = tmp_path / "state" / "sessions" / "site.json"
    session_file.prepare_folder(path, create=True)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_session_round_trips_private_and_is_masked(tmp_path):
    path = tmp_path / "site.json"
    session_file.write(path, saved())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    back = session_file.read(path, SITE)
    assert (back.site_url, back.admin_dir) == (SITE, "admin")
    assert json.loads(back.state.reveal())["cookies"][0]["value"] == COOKIE
    assert COOKIE not in repr(back) and redact(f"cookie {COOKIE}") == "cookie ***"


@pytest.mark.parametrize("damage, expected", [
    (lambda p: p.unlink(), "provisioner login"),
    (lambda p: p.chmod(0o644), "chmod 600"),
    (lambda p: p.write_text("{not json"), "not a session saved by"),
    (lambda p: p.write_text(json.dumps({"format": "other"})), "not a session saved by"),
])
def test_an_unusable_session_file_is_bad_input_and_never_echoed(tmp_path, damage, expected):
    path = tmp_path / "site.json"
    session_file.write(path, saved())
    damage(path)
    if path.exists():
        path.chmod(path.stat().st_mode & 0o777 if expected == "chmod 600" else 0o600)
    with pytest.raises(PlaybookError) as refused:
        session_file.read(path, SITE)
    assert expected in str(refused.value) and COOKIE not in str(refused.value)


def test_a_session_for_another_site_is_refused(tmp_path):
    path = tmp_path / "site.json"
    session_file.write(path, saved("https://other.example"))
    with pytest.raises(PlaybookError, match="saved for https://other.example"):
        session_file.read(path, SITE)


@pytest.mark.parametrize("host, domain, sent", [("school.edu", "school.edu", True),
                                                ("moodle.school.edu", "school.edu", True),
                                                ("school.edu", "idp.school.edu", False),
                                                ("evilschool.edu", "school.edu", False),
                                                ("school.edu", "", False)])
def test_only_cookies_the_site_receives_are_saved(host, domain, sent):
    assert _within(host, domain) is sent


# --- the CLI -------------------------------------------------------------------------------------------
@pytest.fixture
def provisions(monkeypatch):
    calls = []
    monkeypatch.setattr(app, "provision", lambda book, options, **kw: calls.append(options) or
                        app.RunOutcome(app.RunReport(site=options.site_url, check=False)))
    monkeypatch.delenv("MOODLE_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("MOODLE_TOTP_SECRET", raising=False)
    monkeypatch.delenv("MOODLE_SITE_URL", raising=False)
    return calls


def run(*args: str):
    return CliRunner().invoke(cli, ["run", ENROLLAIT, "--site", SITE, *args], catch_exceptions=False)


def test_run_with_a_session_needs_no_password(provisions, tmp_path):
    path = tmp_path / "site.json"
    session_file.write(path, saved())
    result = run("--session-file", str(path))
    assert result.exit_code == 0, result.output
    [options] = provisions
    assert options.admin_password is None and options.session.site_url == SITE
    assert COOKIE not in result.output + result.stderr


def test_run_reads_the_totp_secret_from_a_file_or_the_environment(provisions, tmp_path, monkeypatch):
    monkeypatch.setenv("MOODLE_ADMIN_PASSWORD", "Adm1n-Pass-Word!")
    secret_file = tmp_path / "totp"
    secret_file.write_text(MOODLE_SECRET + "\n")
    assert run("--totp-secret-file", str(secret_file)).exit_code == 0
    monkeypatch.setenv("MOODLE_TOTP_SECRET", MOODLE_SECRET)
    assert run().exit_code == 0
    assert [o.totp.code(at=0) for o in provisions] == [Totp(Secret(MOODLE_SECRET), "t").code(at=0)] * 2


@pytest.mark.parametrize("args, expected", [
    (["--session-file", "S", "--totp-secret-file", "T"], "a saved session has been through MFA"),
    (["--totp-secret-file", "T"], "not a TOTP secret"),
    (["--session-file", "missing.json"], "sign in again with `provisioner login"),
])
def test_bad_sign_in_options_exit_2_before_any_browser(provisions, tmp_path, monkeypatch, args, expected):
    monkeypatch.setenv("MOODLE_ADMIN_PASSWORD", "Adm1n-Pass-Word!")
    session_file.write(tmp_path / "S", saved())
    (tmp_path / "T").write_text("this is no secret")
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2 and expected in result.stderr, result.stderr
    assert not provisions and "this is no secret" not in result.stderr


def test_sandbox_runs_refuse_session_and_totp_options(provisions):
    result = CliRunner().invoke(cli, ["run", ENROLLAIT, "--sandbox", "x", "--session-file", "S"])
    assert result.exit_code == 2 and "--sandbox" in result.stderr


def test_login_without_a_display_is_bad_input(monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = CliRunner().invoke(cli, ["login", "--site", SITE, "--session-file", str(tmp_path / "s.json")])
    assert result.exit_code == 2 and "display" in result.stderr


def test_login_into_a_missing_folder_is_bad_input(monkeypatch, tmp_path):
    monkeypatch.setenv("DISPLAY", ":99")
    result = CliRunner().invoke(cli, ["login", "--site", SITE, "--session-file", str(tmp_path / "no" / "s.json")])
    assert result.exit_code == 2 and "does not exist" in result.stderr
