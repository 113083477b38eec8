"""`verify --inventory` / `doctor --inventory` through click's CliRunner, with Moodle's answers replaced:
bad input exits 2 before any site is asked; tokens come from the inventory or a {site} pattern; the
report says which site broke and why; exit 0 all healthy, 1 some broken."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from provisioner.cli import cli
from provisioner.fleet import health as health_module
from provisioner.rest.doctor import Finding
from provisioner.rest.verify import Verification

TOKEN = "a1" * 16


@pytest.fixture
def inventory(tmp_path):
    (tmp_path / "tokens").mkdir()
    for name in ("north", "south"):
        (tmp_path / "tokens" / f"{name}.json").write_text(json.dumps({"site_url": "x", "token": TOKEN}))
    path = tmp_path / "schools.yml"
    path.write_text("sites:\n  north: {url: 'https://north.example'}\n  south: {url: 'https://south.example'}\n")
    return path


@pytest.fixture
def asked(monkeypatch):
    """examine() replaced: north healthy, south with web services off; the URLs asked are recorded."""
    urls = []

    def examine(site_url, token, *, timeout, network, **_):
        urls.append(site_url)
        verification = Verification(site_url, "now", username="enrollait-user", release="4.5.5+ (Build: 1)")
        if "south" in site_url:
            return [Finding("Web services are disabled", 1, "server.php answers HTTP 403")], verification
        return [], verification
    monkeypatch.setattr(health_module, "examine", examine)
    return urls


def _invoke(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


@pytest.mark.parametrize("extra, said", [
    (("--site", "https://north.example"), "--site does not go with --inventory"),
    (("--token-file", "one-file.json"), "put {site} in it"),
    (("--token-file", "tokens/{site}.json", "--alert", "file:x"), "--alert takes webhook:URL"),
    (("--token-file", "tokens/{site}.json", "--alert", "webhook:https://hooks.example"), "ENROLLAIT_WEBHOOK_TOKEN"),
    (("--token-file", "tokens/{site}.json", "--shard", "3/2"), "between 1 and N"),
])
def test_bad_input_exits_2_before_any_site_is_asked(inventory, asked, monkeypatch, extra, said):
    monkeypatch.chdir(inventory.parent)
    result = _invoke("verify", "--inventory", str(inventory), *extra)
    assert result.exit_code == 2 and said in result.output, result.output
    assert asked == []


def test_a_site_without_a_token_source_is_bad_input(inventory, asked):
    result = _invoke("verify", "--inventory", str(inventory))
    assert result.exit_code == 2 and "no token to check" in result.output and asked == []


def test_the_broken_site_is_named_with_its_cause_and_step(inventory, asked, monkeypatch, tmp_path):
    monkeypatch.chdir(inventory.parent)
    report = tmp_path / "health.json"
    result = _invoke("verify", "--inventory", str(inventory), "--token-file", "tokens/{site}.json",
                     "--report-json", str(report), "--parallel", "2")
    assert result.exit_code == 1, result.output
    sites = {s["site"]: s for s in json.loads(report.read_text())["sites"]}
    assert sites["north"]["outcome"] == "healthy"
    assert (sites["south"]["outcome"], sites["south"]["step"], sites["south"]["step_name"]) == (
        "failed", 1, "Enable web services")
    assert TOKEN not in result.output + report.read_text()
    assert sorted(asked) == ["https://north.example", "https://south.example"]

    again = _invoke("doctor", "--inventory", str(inventory), "--token-file", "tokens/{site}.json",
                    "--only-failed", str(report), "--json")
    assert [s["site"] for s in json.loads(again.stdout)["sites"]] == ["south"] and again.exit_code == 1


def test_tokens_named_in_the_inventory_and_all_healthy_exits_0(tmp_path, asked, monkeypatch):
    path = tmp_path / "schools.yml"
    path.write_text("sites:\n  north: {url: 'https://north.example', token: {env: NORTH_TOKEN}}\n")
    result = _invoke("verify", "--inventory", str(path), env={"NORTH_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    missing = _invoke("verify", "--inventory", str(path))
    assert missing.exit_code == 2 and "NORTH_TOKEN is not set" in missing.output
