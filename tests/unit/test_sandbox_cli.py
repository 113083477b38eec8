"""The sandbox commands' output and exit codes, with the engine stood in for."""
import json

import pytest
from click.testing import CliRunner

from provisioner.cli import cli
from provisioner.errors import SandboxError
from provisioner.sandbox.model import Status
from provisioner.sandbox.state import SandboxState
from provisioner.secrets import Secret


class FakeEngine:
    name = "native"

    def __init__(self):
        self.calls = []

    def up(self, request):
        self.calls.append(("up", request))
        if request.source and "broken" in str(request.source):
            raise SandboxError(f"not a Moodle tree: {request.source} has no version.php")
        return SandboxState(name=request.name, engine="native", port=request.port or 8080,
                            version="5.0", release="5.0.6+ (Build: 20260403)", admin_user="admin",
                            admin_password=Secret("Pa55-word!"), installed=True)

    def status(self, name):
        return Status(name=name, state="running", engine="native", version="5.0",
                      release="5.0.6+", url="http://127.0.0.1:8080", processes={"php": True, "postgres": True},
                      profile="school", languages=["es"])

    def down(self, name, *, purge=False):
        self.calls.append(("down", name, purge))


@pytest.fixture
def engine(monkeypatch):
    fake = FakeEngine()
    monkeypatch.setattr("provisioner.cli.sandbox.engine_for", lambda name, kind="auto", images=None, progress=None: fake)
    return fake


def test_up_prints_url_and_admin_login_but_the_password_only_when_asked(engine):
    result = CliRunner().invoke(cli, ["sandbox", "up", "--name", "qa", "--port", "8090"])
    assert result.exit_code == 0, result.output
    assert "URL:            http://127.0.0.1:8090" in result.output
    assert "admin user:     admin" in result.output and "Pa55-word!" not in result.output
    assert "qa/state.json (mode 0600), or add --show-password" in result.output
    shown = CliRunner().invoke(cli, ["sandbox", "up", "--name", "qa", "--port", "8090", "--show-password"])
    assert "admin password: Pa55-word!" in shown.output
    assert engine.calls[0][1].name == "qa"


def test_moodle_src_comes_from_the_environment(engine, tmp_path):
    CliRunner().invoke(cli, ["sandbox", "up"], env={"MOODLE_SRC": str(tmp_path)})
    assert engine.calls[0][1].source == tmp_path


def test_a_bad_source_is_one_line_and_exit_1(engine, tmp_path):
    result = CliRunner().invoke(cli, ["sandbox", "up", "--moodle-src", str(tmp_path / "broken")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: not a Moodle tree: {tmp_path / 'broken'} has no version.php"]


def test_status_as_json(engine):
    result = CliRunner().invoke(cli, ["sandbox", "status", "--json"])
    data = json.loads(result.output)
    assert data["state"] == "running" and data["version"] == "5.0" and data["engine"] == "native"
    assert data["url"] == "http://127.0.0.1:8080"


def test_down_purge(engine):
    result = CliRunner().invoke(cli, ["sandbox", "down", "--purge", "--name", "qa"])
    assert result.exit_code == 0 and engine.calls == [("down", "qa", True)]


def test_status_of_an_absent_sandbox_needs_no_engine(sandbox_home):
    result = CliRunner().invoke(cli, ["sandbox", "status", "--name", "nothing-here"])
    assert result.exit_code == 0 and "sandbox 'nothing-here': absent" in result.output


def test_bad_port_is_bad_input():
    result = CliRunner().invoke(cli, ["sandbox", "up", "--port", "80"])
    assert result.exit_code == 2


def test_up_with_a_profile_and_language_packs_passes_them_on_and_says_what_the_site_has(engine, tmp_path):
    result = CliRunner().invoke(cli, ["sandbox", "up", "--profile", "school", "--langpack", str(tmp_path),
                                      "--langpack", "fr"])
    assert result.exit_code == 0, result.output
    request = engine.calls[0][1]
    assert (request.profile, request.langpacks) == ("school", (str(tmp_path), "fr"))
    assert "profile:        school; languages: en, es" in result.output


def test_an_unknown_profile_is_bad_input(engine):
    result = CliRunner().invoke(cli, ["sandbox", "up", "--profile", "university"])
    assert result.exit_code == 2 and engine.calls == []


def test_status_shows_the_profile_and_languages(engine):
    result = CliRunner().invoke(cli, ["sandbox", "status"])
    assert "profile school; languages: en, es" in result.output
    data = json.loads(CliRunner().invoke(cli, ["sandbox", "status", "--json"]).output)
    assert data["profile"] == "school" and data["languages"] == ["es"]


def test_a_first_up_without_any_source_says_it_downloads_the_default_release(engine, sandbox_home):
    result = CliRunner().invoke(cli, ["sandbox", "up"])
    assert "downloading Moodle 5.0 from download.moodle.org" in result.stderr


def test_a_sub_path_is_passed_on_normalised_and_a_bad_one_is_bad_input(engine):
    result = CliRunner().invoke(cli, ["sandbox", "up", "--path", "/school/moodle/"])
    assert result.exit_code == 0, result.output
    assert engine.calls[0][1].path == "/school/moodle"
    for bad in ("moodle", "/moo dle", "/../etc", "/a//b"):
        refused = CliRunner().invoke(cli, ["sandbox", "up", "--path", bad])
        assert refused.exit_code == 2 and "must look like /moodle" in refused.output, (bad, refused.output)
    assert len(engine.calls) == 1
