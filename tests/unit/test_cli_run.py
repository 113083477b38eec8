"""`provisioner run` through click's CliRunner, with provision() replaced by a fake: no browser, no Moodle.

Also `--token-out` and `--handoff`: the token is written once, 0600, and only when its value is known.
"""
from __future__ import annotations

import json
import stat
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from provisioner import app
from provisioner.cli import cli
from provisioner.cli.token_out import write_token_file
from provisioner.errors import HandoffError, PlaybookError
from provisioner.runner.report import RunReport, StepResult
from provisioner.secrets import Secret

ENROLLAIT = str(Path(__file__).resolve().parents[2] / "playbooks" / "enrollait.yml")
ADMIN_PASSWORD = "Adm1n-Pass-Word!"
TOKEN = "0123456789abcdef0123456789abcdef"
SITE = "https://school.example/moodle"


class FakeProvision:
    """Stands in for app.provision: records its call and answers every step with one status."""

    def __init__(self, status: str = "unchanged", token: str | None = TOKEN):
        self.status, self.token, self.calls = status, token, []

    def __call__(self, playbook, options, on_start=None, on_result=None):
        self.calls.append((playbook, options))
        report = RunReport(site=options.site_url, check=options.check)
        for step in playbook.steps:
            on_start(step)
            result = StepResult(step.name, step.kind, self.status, reason="already so",
                                changes=["would change"] if self.status in ("changed", "pending") else [])
            report.steps.append(result)
            on_result(result)
        report.verification = {"ok": self.status != "failed", "site_info": {"sitename": "School"}}
        return app.RunOutcome(report=report, token=Secret(self.token) if self.token else None)


@pytest.fixture
def fake(monkeypatch):
    fake = FakeProvision()
    monkeypatch.setattr(app, "provision", fake)
    return fake


@pytest.fixture
def invoke(monkeypatch):
    monkeypatch.setenv("MOODLE_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.delenv("MOODLE_SITE_URL", raising=False)
    monkeypatch.delenv("PLAYWRIGHT_CHROMIUM_EXECUTABLE", raising=False)
    monkeypatch.delenv("ENROLLAIT_USER_PASSWORD", raising=False)

    def _invoke(*args: str, playbook: str = ENROLLAIT, site: str | None = SITE):
        argv = ["run", playbook, *(["--site", site] if site else []), *args]
        result = CliRunner().invoke(cli, argv, catch_exceptions=False)
        for secret in (ADMIN_PASSWORD, TOKEN):
            assert secret not in result.output and secret not in result.stderr
        return result
    return _invoke


@pytest.mark.parametrize("status, code", [("unchanged", 0), ("changed", 0), ("failed", 1)])
def test_exit_code_follows_the_report(fake, invoke, status, code):
    fake.status = status
    assert invoke().exit_code == code


def test_check_with_pending_changes_exits_3(fake, invoke):
    fake.status = "pending"
    result = invoke("--check")
    assert result.exit_code == 3
    assert fake.calls[0][1].check is True
    assert "changes pending" in result.stderr


def test_progress_and_summary_go_to_stderr(fake, invoke):
    result = invoke()
    assert result.stdout == ""
    assert "unchanged Enable web services — already so" in result.stderr
    assert "converged: 8 unchanged" in result.stderr


def test_json_report_on_stdout(fake, invoke):
    fake.status = "changed"
    result = invoke("--json")
    report = json.loads(result.stdout)
    assert report["outcome"] == "converged" and report["site"] == SITE and report["check"] is False
    assert [s["status"] for s in report["steps"]] == ["changed"] * 8
    assert set(report["steps"][0]) >= {"name", "kind", "status", "reason", "changes"}


def test_json_report_is_printed_for_a_failed_run_too(fake, invoke):
    fake.status = "failed"
    result = invoke("--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["outcome"] == "failed"


def test_options_reach_provision(fake, invoke, tmp_path):
    browser = tmp_path / "chromium"
    browser.write_text("")
    invoke("--admin-user", "root", "--rotate-token", "--headed", "--browser-path", str(browser),
           "--artifacts-dir", str(tmp_path / "shots"), site="https://school.example/moodle/")
    playbook, options = fake.calls[0]
    assert options.site_url == SITE  # trailing slash stripped
    assert options.admin_user == "root" and options.admin_password.reveal() == ADMIN_PASSWORD
    assert options.rotate_token and options.headed and options.browser_path == str(browser)
    assert options.artifacts_dir == tmp_path / "shots"
    assert len(playbook.steps) == 8


def test_site_url_from_the_environment(fake, invoke, monkeypatch):
    monkeypatch.setenv("MOODLE_SITE_URL", "http://localhost:8080")
    assert invoke(site=None).exit_code == 0
    assert fake.calls[0][1].site_url == "http://localhost:8080"


@pytest.mark.parametrize("url", ["ftp://school.example", "school.example", "https://school.example/?x=1",
                                 "https://school.example/#top", "https://school.example/login/index.php",
                                 "https://school.example:port"])
def test_bad_site_url_exits_2_before_provision(fake, invoke, url):
    result = invoke(site=url)
    assert result.exit_code == 2 and "--site" in result.stderr
    assert fake.calls == []


def test_site_url_with_credentials_is_refused_without_echoing_them(fake, invoke):
    result = invoke(site="https://admin:hunter2-secret@school.example")
    assert result.exit_code == 2 and "hunter2-secret" not in result.stderr
    assert fake.calls == []


def test_admin_password_from_a_file(fake, invoke, monkeypatch, tmp_path):
    monkeypatch.delenv("MOODLE_ADMIN_PASSWORD")
    password_file = tmp_path / "pw"
    password_file.write_text("From-File-Pass1!\n")
    assert invoke("--admin-password-file", str(password_file)).exit_code == 0
    assert fake.calls[0][1].admin_password.reveal() == "From-File-Pass1!"


def test_no_admin_password_exits_2(fake, invoke, monkeypatch):
    monkeypatch.delenv("MOODLE_ADMIN_PASSWORD")
    result = invoke()
    assert result.exit_code == 2
    assert "no admin password: set MOODLE_ADMIN_PASSWORD or pass --admin-password-file" in result.stderr
    assert fake.calls == []


def test_there_is_no_admin_password_flag(fake, invoke):
    result = invoke("--admin-password", "x")
    assert result.exit_code == 2 and fake.calls == []


@pytest.mark.parametrize("args", [("--var", "novalue"), ("--var", "bad-name=1"), ("--var", "=x"),
                                  ("--vars-file", "/nonexistent/vars.yml"),
                                  ("--token-out", "/nonexistent/t.json")])
def test_bad_options_exit_2_before_provision(fake, invoke, args):
    result = invoke(*args)
    assert result.exit_code == 2, result.stderr
    assert fake.calls == []


def test_bad_playbook_exits_2_with_one_line_and_no_provision(fake, invoke, tmp_path):
    book = tmp_path / "bad.yml"
    book.write_text("steps:\n  - name: a\n    webservices: {}\n    protocol: {}\n")
    result = invoke(playbook=str(book))
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: {book}:4: step 'a': one step does one thing, but this one has "
                                     "'webservices', 'protocol': split it into separate steps")
    assert fake.calls == []


def test_vars_reach_the_playbook(fake, invoke, tmp_path):
    vars_file = tmp_path / "school.yml"
    vars_file.write_text("email: it@school.example\nusername: from-file\n")
    invoke("--vars-file", str(vars_file), "--var", "username=from-cli")
    user = fake.calls[0][0].steps[2].params
    assert (user.username, user.email) == ("from-cli", "it@school.example")


def test_playbook_warnings_are_shown(fake, invoke):
    assert "warning: --var: variable 'usrname' is not used" in invoke("--var", "usrname=x").stderr


def test_token_file_is_0600_json_with_site_and_token(fake, invoke, tmp_path):
    target = tmp_path / "enrollait.json"
    assert invoke("--token-out", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text()) == {"site_url": SITE, "token": TOKEN}
    assert [p.name for p in tmp_path.iterdir()] == ["enrollait.json"]  # no temporary file left behind


def test_token_file_replaces_an_existing_file_atomically(tmp_path):
    target = tmp_path / "t.json"
    target.write_text("old")
    target.chmod(0o644)
    write_token_file(target, SITE, Secret(TOKEN))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["token"] == TOKEN


def test_check_mode_writes_no_token(fake, invoke, tmp_path):
    target = tmp_path / "t.json"
    invoke("--check", "--token-out", str(target))
    assert not target.exists()


def test_unknown_token_is_a_warning_not_a_file(fake, invoke, tmp_path):
    fake.token = None
    target = tmp_path / "t.json"
    result = invoke("--token-out", str(target))
    assert result.exit_code == 0 and not target.exists()
    assert "--rotate-token" in result.stderr


def test_token_out_pointing_at_a_folder_exits_2(fake, invoke, tmp_path):
    result = invoke("--token-out", str(tmp_path))
    assert result.exit_code == 2 and fake.calls == []


@dataclass
class FakeConnection:
    site_url: str
    token: Secret
    site_info: dict
    verification: dict
    verified: bool


@pytest.fixture
def fake_handoff(monkeypatch):
    """Stands in for provisioner.handoff; these tests rely on its API only."""
    delivered = []

    def parse_targets(specs):
        if "nonsense" in specs:
            raise PlaybookError("unknown hand-off target 'nonsense'")
        return [f"parsed {spec}" for spec in specs]

    def deliver(targets, connection):
        if "parsed broken" in targets:
            error = HandoffError("hand-off failed: broken")
            error.delivered = ["stdout (JSON)"]
            raise error
        delivered.append((targets, connection))
        return ["webhook: HTTP 200"]

    module = types.ModuleType("provisioner.handoff")
    module.parse_targets, module.deliver, module.Connection = parse_targets, deliver, FakeConnection
    monkeypatch.setitem(sys.modules, "provisioner.handoff", module)
    return delivered


def test_handoff_gets_the_verified_connection_after_a_converged_run(fake, invoke, fake_handoff):
    result = invoke("--handoff", "webhook:https://enrollait.example/hook", "--json")
    [(targets, connection)] = fake_handoff
    assert targets == ["parsed webhook:https://enrollait.example/hook"]
    assert connection.site_url == SITE and connection.token.reveal() == TOKEN
    assert connection.verified and connection.site_info == {"sitename": "School"}
    assert json.loads(result.stdout)["handoff"] == ["webhook: HTTP 200"]


def test_no_handoff_after_a_failed_run(fake, invoke, fake_handoff):
    fake.status = "failed"
    assert invoke("--handoff", "stdout").exit_code == 1
    assert fake_handoff == []


def test_failed_handoff_exits_1_after_the_report(fake, invoke, fake_handoff):
    result = invoke("--handoff", "broken", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["handoff"] == ["stdout (JSON)"]
    assert "error: hand-off failed: broken" in result.stderr


@pytest.mark.parametrize("args", [("--handoff", "nonsense"), ("--handoff", "stdout", "--json")])
def test_bad_handoff_exits_2_before_provision(fake, invoke, fake_handoff, args):
    assert invoke(*args).exit_code == 2
    assert fake.calls == []


def test_handoff_missing_from_the_installation_exits_2(fake, invoke, monkeypatch):
    monkeypatch.setitem(sys.modules, "provisioner.handoff", types.ModuleType("provisioner.handoff"))
    result = invoke("--handoff", "stdout")
    assert result.exit_code == 2 and "hand-off is not available" in result.stderr
    assert fake.calls == []
