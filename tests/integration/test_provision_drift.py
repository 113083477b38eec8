"""Drift made by hand in the admin UI is reported by --check and repaired by a run."""
from __future__ import annotations

import pytest

from provisioner.pages.service_functions import ServiceFunctionsPage
from provisioner.pages.services import ServiceEditPage
from provisioner.pages.settings import ProtocolsPage
from provisioner.pages.site_admins import SiteAdminsPage
from provisioner.pages.tokens import TokensPage
from tests.integration.conftest import DECLARED, PLAYBOOK, admin_ui, db_state, one_lasting_token, run_cli

pytestmark = pytest.mark.integration


@pytest.mark.matrix
def test_drift_is_reported_by_check_and_repaired_by_run(provisioned_site, tmp_path):
    site = provisioned_site.sandbox
    service_id = int(site.sql("SELECT id FROM mdl_external_services WHERE shortname = 'enrollait'")[0][0])
    user_id = int(site.sql("SELECT id FROM mdl_user WHERE username = 'enrollait-user'")[0][0])
    token_id = int(site.sql("SELECT id FROM mdl_external_tokens WHERE userid = %s", user_id)[0][0])
    with admin_ui(site) as ui:  # an admin clicking around
        ProtocolsPage(ui).set_enabled("rest", False)
        ServiceFunctionsPage(ui).remove(service_id, "core_user_create_users")
        SiteAdminsPage(ui).remove(user_id)
        ServiceEditPage(ui).update(service_id, "Enrollait Service", enabled=False, restricted_users=True)
        TokensPage(ui).delete(token_id)
    broken = db_state(site)
    assert broken["protocols"] == [] and broken["tokens"] == [] and not broken["site_admin"]

    check = run_cli(site, "run", str(PLAYBOOK), "--check", "--json")

    assert check.code == 3, check.stderr
    assert check.statuses() == {
        "webservices": "unchanged", "protocol": "pending", "user": "unchanged", "service": "pending",
        "service_functions": "pending", "authorised_user": "unchanged", "access": "pending",
        "token": "pending"}
    assert db_state(site) == broken

    repair = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", str(tmp_path / "t.json"))

    assert repair.code == 0, repair.stderr
    assert repair.report["verification"]["ok"] is True
    repaired = db_state(site)
    assert {key: repaired[key] for key in DECLARED} == DECLARED
    assert repaired["tokens"] == one_lasting_token(site)
