"""`provisioner verify` and `provisioner doctor` through click's CliRunner, with Moodle's answers replayed.

Checks the command's contract: where the token comes from, exit codes, JSON for machines, hand-off only
after a passing check, and no token in anything printed.
"""
from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner

from provisioner.cli import cli
from provisioner.cli import verify as verify_cli
from provisioner.rest import capabilities as caps
from provisioner.rest import doctor as doctor_module
from provisioner.rest import verify as verify_module

from test_rest_verify import HEALTHY, SITE, TOKEN, replay

REFUSED = {"exception": "webservice_access_exception", "errorcode": "accessexception",
           "message": "Access control exception"}


@pytest.fixture
def site(monkeypatch):
    """Point verify() at replayed answers; returns the dict to edit per test."""
    answers = dict(HEALTHY)
    real_verify = verify_module.verify

    def replayed(site_url, token, expected=caps.SEVEN, *, timeout=30.0, transport=None, network=None):
        return real_verify(site_url, token, expected, timeout=timeout, transport=replay(answers), network=network)

    monkeypatch.setattr(verify_cli, "verify_token", replayed)
    monkeypatch.setattr(doctor_module, "verify", replayed)
    return answers


@pytest.fixture
def invoke(monkeypatch):
    monkeypatch.setenv("MOODLE_TOKEN", TOKEN.reveal())
    monkeypatch.setenv("MOODLE_SITE_URL", SITE)

    def run(*args, input=None):
        return CliRunner().invoke(cli, list(args), input=input)
    return run


def no_token_in(result) -> bool:
    return TOKEN.reveal() not in result.stdout + result.stderr


def test_healthy_token_exits_0_with_a_table(site, invoke):
    result = invoke("verify")
    assert result.exit_code == 0, result.output
    assert "core_user_create_users" in result.stdout and "OK:" in result.stdout
    assert no_token_in(result)


def test_json_for_machines(site, invoke):
    result = invoke("verify", "--json")
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["username"] == "pv_wsuser" and len(data["functions"]) == 7
    assert data["sync_preview"]["courses"] == 2
    assert no_token_in(result)


def test_not_all_well_exits_1(site, invoke):
    site[caps.CREATE_USERS] = REFUSED
    assert invoke("verify").exit_code == 1


def test_token_file_instead_of_the_environment(site, invoke, tmp_path, monkeypatch):
    monkeypatch.delenv("MOODLE_TOKEN")
    path = tmp_path / "token"
    path.write_text(TOKEN.reveal() + "\n")
    assert invoke("verify", "--token-file", str(path)).exit_code == 0
    assert invoke("verify", "--token-file", "-", input=TOKEN.reveal()).exit_code == 0


@pytest.mark.parametrize("env, args", [
    ({"MOODLE_TOKEN": ""}, []),
    ({"MOODLE_TOKEN": "'" + "a" * 32 + "'"}, []),       # quotes pasted along: PARAM_ALPHANUM would strip them
    ({}, ["--token-file", "/nonexistent/token"]),
    ({}, ["--site", "moodle.example"]),
    ({}, ["--handoff", "carrier-pigeon"]),
])
def test_bad_input_exits_2_before_any_call(site, invoke, monkeypatch, env, args):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    site.clear()  # any call would fail with KeyError
    result = invoke("verify", *args)
    assert result.exit_code == 2, result.output
    assert no_token_in(result)


def test_handoff_to_a_file_after_a_passing_check(site, invoke, tmp_path):
    target = tmp_path / "enrollait.env"
    result = invoke("verify", "--handoff", f"file:{target}")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert f'MOODLE_TOKEN="{TOKEN.reveal()}"' in target.read_text()
    assert "handed off: file" in result.stdout and no_token_in(result)


def test_no_handoff_when_the_check_fails(site, invoke, tmp_path):
    site[caps.MANUAL_ENROL] = REFUSED
    target = tmp_path / "c.json"
    result = invoke("verify", "--handoff", f"file:{target}")
    assert result.exit_code == 1 and not target.exists()
    assert "no hand-off" in result.stdout


def test_handoff_stdout_keeps_stdout_for_the_payload(site, invoke):
    result = invoke("verify", "--json", "--handoff", "stdout")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["token"] == TOKEN.reveal()  # the one place it belongs
    assert json.loads(result.stderr)["ok"] is True and TOKEN.reveal() not in result.stderr


def test_doctor_exits_0_when_healthy_and_1_with_the_step(site, invoke):
    assert invoke("doctor").exit_code == 0
    site[caps.CREATE_USERS] = REFUSED
    site[caps.SITE_INFO] = {**HEALTHY[caps.SITE_INFO], "functions": [
        f for f in HEALTHY[caps.SITE_INFO]["functions"] if f["name"] != caps.CREATE_USERS]}
    result = invoke("doctor", "--json")
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["step"], finding["function"]) == (5, caps.CREATE_USERS)
    assert finding["step_name"] == "Add the functions to the service" and no_token_in(result)


def test_doctor_json_on_an_unreachable_site(invoke, monkeypatch):
    result = invoke("doctor", "--json", "--site", "http://127.0.0.1:9", "--timeout", "2")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["step"] is None
    assert no_token_in(result)
