"""`provisioner rotate` and `provisioner revoke` through click's CliRunner, app.provision replaced by a fake:
bad input exits 2 before a browser starts; the steps each command runs; exit codes and JSON like `run`."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from provisioner import app
from provisioner.cli import cli
from provisioner.cli.rotate import rescue_file
from provisioner.runner.report import RunReport, StepResult
from provisioner.secrets import Secret

ENROLLAIT = str(Path(__file__).resolve().parents[2] / "playbooks" / "enrollait.yml")
SITE = "https://school.example/moodle"


class FakeSession:
    """Stands in for app.provision: records the steps and answers each with one status."""

    def __init__(self):
        self.status, self.steps, self.check = "unchanged", [], None

    def __call__(self, playbook, options, on_start=None, on_result=None):
        self.steps, self.check = [(s.kind, s.name) for s in playbook.steps], options.check
        report = RunReport(site=options.site_url, check=options.check)
        for step in playbook.steps:
            result = StepResult(step.name, step.kind, self.status,
                                changes=[f"remove {step.kind}"] if self.status in ("changed", "pending") else [])
            report.steps.append(result)
            on_result(result)
        return app.RunOutcome(report=report)


@pytest.fixture
def session(monkeypatch):
    fake = FakeSession()
    monkeypatch.setattr(app, "provision", fake)
    monkeypatch.setenv("MOODLE_ADMIN_PASSWORD", "Adm1n-Pass-Word!")
    monkeypatch.delenv("MOODLE_SITE_URL", raising=False)
    monkeypatch.delenv("MOODLE_TOKEN", raising=False)
    monkeypatch.delenv("ENROLLAIT_USER_PASSWORD", raising=False)
    return fake


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("args, said", [
    (["rotate", ENROLLAIT, "--site", SITE, "--json", "--handoff", "stdout"], "choose one"),
    (["rotate", ENROLLAIT, "--site", SITE, "--handoff", "ftp://x"], "unknown hand-off target"),
    (["rotate", ENROLLAIT, "--site", SITE, "--token-out", "/nonexistent/folder/t.json"], "does not exist"),
    (["revoke", ENROLLAIT], "give the site"),
    (["revoke", ENROLLAIT, "--site", "ftp://school"], "expected http(s)"),
    (["revoke", ENROLLAIT, "--site", SITE, "--var", "access=admin"], "Give the integration user access"),
])
def test_bad_input_exits_2_before_any_session(session, args, said):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert said in result.output and session.steps == []


def test_revoke_deletes_tokens_only_unless_offboarding(session):
    assert invoke("revoke", ENROLLAIT, "--site", SITE).exit_code == 0
    assert [kind for kind, _ in session.steps] == ["find", "token_absent"]
    assert invoke("revoke", ENROLLAIT, "--site", SITE, "--offboard").exit_code == 0
    assert [kind for kind, _ in session.steps] == ["find", "token_absent", "service_absent", "role_absent",
                                                   "site_admin_absent", "user_absent"]


def test_revoke_check_lists_what_would_go_and_exits_3(session):
    session.status = "pending"
    result = invoke("revoke", ENROLLAIT, "--site", SITE, "--offboard", "--check", "--json")
    assert result.exit_code == 3 and session.check is True
    assert json.loads(result.stdout)["would_remove"][:2] == ["remove find", "remove token_absent"]


def test_rotate_hands_off_between_minting_and_deleting(session):
    result = invoke("rotate", ENROLLAIT, "--site", SITE, "--json")
    assert result.exit_code == 0, result.output
    assert [kind for kind, _ in session.steps] == ["find", "token", "handoff", "token_absent"]
    session.status = "failed"
    assert invoke("rotate", ENROLLAIT, "--site", SITE).exit_code == 1


def test_a_rescued_token_is_private_and_names_the_site(tmp_path):
    path = rescue_file(tmp_path / "artifacts", "https://school.example:8443/moodle", Secret("ab" * 16))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "school.example-8443" in path.name
    assert json.loads(path.read_text()) == {"site_url": "https://school.example:8443/moodle", "token": "ab" * 16}
