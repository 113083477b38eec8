"""`provisioner sandbox templates`: what is kept to copy new sandboxes from, and letting one go."""
from __future__ import annotations

from click.testing import CliRunner

from provisioner.cli import cli
from provisioner.sandbox.templates import Template, TemplateStore
from provisioner.secrets import Secret


def _keep(engine: str, key: str, profile: dict) -> None:
    template = Template(engine, key, "5.0", "5.0.6+ (Build: 20260403)", "http://127.0.0.1:8150", "/x", "admin",
                        Secret("pw-123456"), profile)
    TemplateStore(engine).save(template, lambda folder: (folder / "data").write_bytes(b"x" * 2**21))


class _Volumes:
    def __init__(self):
        self.removed = []

    def list(self, filters):
        owner = self

        class Volume:
            def remove(self, force):
                owner.removed.append(filters["name"])
        return [Volume()]


def test_templates_are_listed_and_let_go(tmp_path, monkeypatch):
    monkeypatch.setenv("PROVISIONER_HOME", str(tmp_path))
    _keep("native", "5.0.6+-20260403_school_es", {"profile": "school", "languages": ["es"]})
    _keep("docker", "5.1-20251006_db-c903db26", {})
    listed = CliRunner().invoke(cli, ["sandbox", "templates"])
    assert listed.exit_code == 0, listed.output
    assert "5.0.6+-20260403_school_es" in listed.output and "school" in listed.output and "2 MiB" in listed.output
    assert "5.1-20251006_db-c903db26" in listed.output and "in volumes" in listed.output
    assert "pw-123456" not in listed.output

    volumes = _Volumes()
    engine = type("FakeDockerEngine", (), {"client": type("Client", (), {"volumes": volumes})()})
    monkeypatch.setattr("provisioner.sandbox.docker.engine.DockerEngine", engine)  # no Docker needed here
    removed = CliRunner().invoke(cli, ["sandbox", "templates", "--remove", "5.1-20251006_db-c903db26"])
    assert removed.exit_code == 0 and "removed the docker template" in removed.output
    assert len(volumes.removed) == 2 and TemplateStore("docker").entries() == []
    assert [t.key for t in TemplateStore("native").entries()] == ["5.0.6+-20260403_school_es"]

    unknown = CliRunner().invoke(cli, ["sandbox", "templates", "--remove", "nope"])
    assert unknown.exit_code == 1 and "no kept template 'nope'" in unknown.output
