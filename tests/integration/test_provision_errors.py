"""Bad input and bad credentials: one clear line, the documented exit code, nothing changed."""
from __future__ import annotations

import pytest

from provisioner.secrets import Secret
from tests.integration.conftest import PLAYBOOK, db_state, run_cli

pytestmark = pytest.mark.integration


def test_wrong_admin_password_fails_with_one_line_and_changes_nothing(moodle_sandbox):
    before = db_state(moodle_sandbox)

    result = run_cli(moodle_sandbox, "run", str(PLAYBOOK), password=Secret("Not-the-password-1"))

    assert result.code == 1
    assert "could not log in" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Not-the-password-1" not in result.stdout + result.stderr
    assert db_state(moodle_sandbox)["config_log"] == before["config_log"]


def test_a_bad_playbook_exits_2_before_touching_the_site(moodle_sandbox, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(PLAYBOOK.read_text().replace("    webservices:", "    web_services:"))
    before = db_state(moodle_sandbox)

    result = run_cli(moodle_sandbox, "run", str(broken))

    assert result.code == 2
    assert "broken.yml:" in result.stderr and "web_services" in result.stderr
    assert db_state(moodle_sandbox) == before


def test_unreachable_site_fails_with_one_line(moodle_sandbox):
    result = run_cli(moodle_sandbox, "run", str(PLAYBOOK), "--site", "http://127.0.0.1:9")

    assert result.code == 1
    assert "nothing answers at 127.0.0.1:9" in result.stderr and "Traceback" not in result.stderr
