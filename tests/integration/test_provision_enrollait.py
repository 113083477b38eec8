"""The product's main job on a real Moodle: converge, change nothing on a re-run, and keep secrets."""
from __future__ import annotations

import json

import pytest

from tests.integration.conftest import DECLARED, PLAYBOOK, db_state, one_lasting_token, run_cli

pytestmark = pytest.mark.integration
# The school sandbox also holds hundreds of Moodle-app tokens: only the Enrollait service's count here.
ENROLLAIT_TOKENS = ("SELECT t.id FROM mdl_external_tokens t JOIN mdl_external_services s "
                    "ON s.id = t.externalserviceid WHERE s.shortname = 'enrollait'")
KINDS = ["webservices", "protocol", "user", "service", "service_functions", "authorised_user", "access",
         "token"]


def declared_part(state: dict) -> dict:
    return {key: state[key] for key in DECLARED}


def test_check_on_a_fresh_site_reports_every_step_pending_and_changes_nothing(fresh_moodle):
    before = db_state(fresh_moodle)

    result = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--check", "--json")

    assert result.code == 3, result.stderr
    assert result.statuses() == {kind: "pending" for kind in KINDS}
    assert db_state(fresh_moodle) == before


@pytest.mark.matrix
def test_fresh_site_converges_then_a_rerun_changes_nothing(provisioned_site):
    # `run --json --token-out --artifacts-dir` on the reset site, through the admin UI: here, or earlier
    # in this session for a test that needed a provisioned site (the site is then its snapshot)
    provisioned, fresh_moodle = provisioned_site, provisioned_site.sandbox
    first, artifacts = provisioned.converged_by.result, provisioned.converged_by.artifacts
    written = provisioned.converged_by.token_file

    assert first.code == 0, first.stderr
    assert first.statuses() == {kind: "changed" for kind in KINDS}
    assert first.report["verification"]["ok"] is True
    assert first.report["verification"]["username"] == "enrollait-user"
    state = db_state(fresh_moodle)
    assert declared_part(state) == DECLARED
    assert state["tokens"] == one_lasting_token(fresh_moodle)  # one token, no expiry
    token = json.loads(provisioned.converged_by.token_json)["token"]
    assert oct(written.stat().st_mode & 0o777) == "0o600"

    second = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--json", "--token-out", str(provisioned.token_file))

    assert second.code == 0, second.stderr
    assert second.statuses() == {kind: "unchanged" for kind in KINDS}
    assert second.report["verification"]["ok"] is True  # the saved token is still checked over REST
    assert db_state(fresh_moodle)["tokens"] == state["tokens"]  # no token minted
    assert db_state(fresh_moodle)["config_log"] == state["config_log"]

    secrets = [token, fresh_moodle.admin_password.reveal()]
    printed = first.stdout + first.stderr + second.stdout + second.stderr
    assert not [s for s in secrets if s in printed]
    for path in artifacts.rglob("*") if artifacts.exists() else []:
        assert not [s for s in secrets if s.encode() in path.read_bytes()]


def test_a_rerun_without_the_token_says_so_and_rotation_replaces_it(provisioned_site, tmp_path):
    site = provisioned_site.sandbox

    unknown = run_cli(site, "run", str(PLAYBOOK), "--json")

    assert unknown.code == 0, unknown.stderr
    token_step = unknown.report["steps"][-1]
    assert token_step["status"] == "unchanged"
    assert any("--rotate-token" in w for w in token_step["warnings"])
    before = site.sql(ENROLLAIT_TOKENS)

    rotated = run_cli(site, "run", str(PLAYBOOK), "--json", "--rotate-token",
                      "--token-out", str(tmp_path / "new.json"))

    assert rotated.code == 0, rotated.stderr
    after = site.sql(ENROLLAIT_TOKENS)
    assert len(after) == 1 and after != before  # the old one deleted, a new one minted
    assert json.loads((tmp_path / "new.json").read_text())["token"] != provisioned_site.token.reveal()
