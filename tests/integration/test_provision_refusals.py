"""Accounts and sites the run must refuse before touching anything: one line each, exit 1."""
from __future__ import annotations

import pytest

from provisioner.pages.settings import MaintenanceModePage
from provisioner.pages.users import UserEditPage
from provisioner.secrets import Secret
from tests.integration.conftest import PLAYBOOK, admin_ui, db_state, run_cli

pytestmark = pytest.mark.integration


def test_a_non_admin_account_is_refused_and_nothing_changes(fresh_moodle):
    teacher_password = Secret("Teach3r!Pass-word")
    with admin_ui(fresh_moodle) as ui:
        UserEditPage(ui).create({"username": "teacher", "email": "teacher@example.invalid",
                                 "firstname": "Tea", "lastname": "Cher"}, teacher_password)
    before = db_state(fresh_moodle)

    result = run_cli(fresh_moodle, "run", str(PLAYBOOK), env={"MOODLE_ADMIN_USER": "teacher"},
                     password=teacher_password)

    assert result.code == 1
    assert "not a site administrator" in result.stderr and "Traceback" not in result.stderr
    assert db_state(fresh_moodle)["config_log"] == before["config_log"]


def test_a_site_in_maintenance_mode_is_refused_and_nothing_changes(fresh_moodle):
    with admin_ui(fresh_moodle) as ui:
        MaintenanceModePage(ui).set_enabled(True)
    before = db_state(fresh_moodle)

    result = run_cli(fresh_moodle, "run", str(PLAYBOOK))

    assert result.code == 1
    assert "maintenance mode" in result.stderr and "Traceback" not in result.stderr
    assert db_state(fresh_moodle) == before
