"""`provisioner run --sandbox NAME`: one command for the main job against a local sandbox."""
from __future__ import annotations

from click.testing import CliRunner

from provisioner import app
from provisioner.cli import cli, sandbox_site
from provisioner.secrets import Secret
from tests.unit.test_cli_run import ENROLLAIT, FakeProvision


def test_sandbox_supplies_the_site_and_admin_login(monkeypatch):
    fake = FakeProvision()
    monkeypatch.setattr(app, "provision", fake)
    monkeypatch.delenv("MOODLE_SITE_URL", raising=False)
    monkeypatch.delenv("MOODLE_ADMIN_PASSWORD", raising=False)
    brought_up = []
    monkeypatch.setattr(sandbox_site, "bring_up", lambda name: brought_up.append(name) or sandbox_site.SandboxSite(
        "http://127.0.0.1:8080", "admin", Secret("Sandbox-Pass-1")))

    result = CliRunner().invoke(cli, ["run", ENROLLAIT, "--sandbox", "qa"])

    assert result.exit_code == 0, result.output
    assert brought_up == ["qa"]
    options = fake.calls[0][1]
    assert (options.site_url, options.admin_user, options.admin_password.reveal()) == \
        ("http://127.0.0.1:8080", "admin", "Sandbox-Pass-1")
    assert "Sandbox-Pass-1" not in result.output


def test_sandbox_and_site_together_are_bad_input_and_start_nothing(monkeypatch):
    monkeypatch.setattr(sandbox_site, "bring_up", lambda name: (_ for _ in ()).throw(AssertionError("started")))

    result = CliRunner().invoke(cli, ["run", ENROLLAIT, "--sandbox", "qa", "--site", "http://x.example"])

    assert result.exit_code == 2
    assert "--site URL" in result.output


def test_a_bad_playbook_does_not_bring_the_sandbox_up(monkeypatch, tmp_path):
    monkeypatch.setattr(sandbox_site, "bring_up", lambda name: (_ for _ in ()).throw(AssertionError("started")))
    broken = tmp_path / "broken.yml"
    broken.write_text("steps: [")

    result = CliRunner().invoke(cli, ["run", str(broken), "--sandbox", "qa"])

    assert result.exit_code == 2
