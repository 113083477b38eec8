"""Break one thing at a time on a freshly provisioned Moodle and check `doctor` names the cause and step.

Things are broken the way an admin would, through our page objects, wherever a page can undo what the
seed did. Where no page can, the database is changed, and only in tables Moodle reads afresh on every
web-service request (no cache to purge): the authorised-users list, tokens, and a brand-new role.

A provisioned site costs minutes (reset, then the whole playbook through the browser), so states that
can be undone share one site: each is broken, diagnosed and undone before the next, and the site is
checked healthy again at the end so a failed undo cannot pass for a diagnosis.
"""
from __future__ import annotations

import time

import pytest

from provisioner.rest.capabilities import ROLE_CAPABILITIES
from provisioner.rest.doctor import diagnose
from provisioner.secrets import Secret

from tests.integration.conftest import admin_ui, run_cli

pytestmark = pytest.mark.integration
USERNAME, SERVICE = "enrollait-user", "enrollait"


def one(sandbox, query, *params) -> str:
    return sandbox.sql(query, *params)[0][0]


def ids(sandbox) -> tuple[int, int]:
    user = int(one(sandbox, "SELECT id FROM mdl_user WHERE username = %s AND deleted = 0", USERNAME))
    service = int(one(sandbox, "SELECT id FROM mdl_external_services WHERE shortname = %s", SERVICE))
    return user, service


def only_finding(url, token):
    findings = diagnose(url, token, timeout=60)
    assert len(findings) == 1, findings
    return findings[0]


def test_settings_functions_and_authorised_users(site, tmp_path):
    from provisioner.pages.service_functions import ServiceFunctionsPage
    from provisioner.pages.settings import AdvancedFeaturesPage, ProtocolsPage

    user, service = ids(site.sandbox)
    assert diagnose(site.url, site.token, timeout=60) == [], "healthy to start with"

    with admin_ui(site.sandbox) as ui:
        AdvancedFeaturesPage(ui).set_webservices(False)
        assert only_finding(site.url, site.token).step == 1, "web services disabled"
        AdvancedFeaturesPage(ui).set_webservices(True)

        ProtocolsPage(ui).set_enabled("rest", False)
        token_file = tmp_path / "token"
        token_file.write_text(site.token.reveal())
        result = run_cli(site.sandbox, "doctor", "--json", "--token-file", str(token_file))
        assert result.code == 1, result.stderr
        [finding] = result.report["findings"]
        assert (finding["step"], finding["step_name"]) == (2, "Enable the REST protocol"), "REST disabled"
        assert site.token.reveal() not in result.stdout + result.stderr
        ProtocolsPage(ui).set_enabled("rest", True)

        ServiceFunctionsPage(ui).remove(service, "core_user_create_users")
        finding = only_finding(site.url, site.token)
        assert (finding.step, finding.function) == (5, "core_user_create_users"), "function missing"
        ServiceFunctionsPage(ui).add(service, ["core_user_create_users"])

    # Our pages can authorise a user but not remove one.
    site.sandbox.sql("DELETE FROM mdl_external_services_users WHERE externalserviceid = %s AND userid = %s",
                     service, user)
    assert only_finding(site.url, site.token).step == 6, "user not authorised"
    site.sandbox.sql("INSERT INTO mdl_external_services_users (externalserviceid, userid, timecreated) "
                     "VALUES (%s, %s, %s)", service, user, int(time.time()))

    assert diagnose(site.url, site.token, timeout=60) == [], "every state above was undone"


def test_missing_capability_is_step_7_and_named(site):
    from provisioner.pages.site_admins import SiteAdminsPage

    user, _ = ids(site.sandbox)
    _grant_role_without(site.sandbox, user, "moodle/user:create")
    with admin_ui(site.sandbox) as ui:
        SiteAdminsPage(ui).remove(user)
    finding = only_finding(site.url, site.token)
    assert (finding.step, finding.capability) == (7, "moodle/user:create")
    assert "core_user_create_users" in finding.detail


def test_wrong_deleted_and_expired_tokens_are_step_8(site):
    from provisioner.pages.tokens import TokensPage

    assert [f.step for f in diagnose(site.url, Secret("0" * 32), timeout=60)] == [8], "a token Moodle never made"

    # A second, already expired token for the same user and service: no page edits an expiry date.
    user, service = ids(site.sandbox)
    expired = "e" * 32
    site.sandbox.sql("INSERT INTO mdl_external_tokens (token, tokentype, userid, externalserviceid, contextid, "
                     "creatorid, validuntil, timecreated, name) SELECT %s, 0, %s, %s, id, 2, %s, %s, 'expired' "
                     "FROM mdl_context WHERE contextlevel = 10", expired, user, service,
                     int(time.time()) - 60, int(time.time()) - 120)
    finding = only_finding(site.url, Secret(expired))
    assert finding.step == 8 and "expired" in finding.cause

    with admin_ui(site.sandbox) as ui:
        page = TokensPage(ui)
        for row in page.tokens(service, "Enrollait Service"):
            page.delete(row.id)
    finding = only_finding(site.url, site.token)
    assert finding.step == 8 and "invalid" in finding.cause, "the seed's token deleted"


def _grant_role_without(sandbox, user: int, left_out: str) -> None:
    """A new role (no cached definition yet) with every needed capability but one, at system level: what
    role mode defines (provisioner.rest.capabilities.ROLE_CAPABILITIES), made in the database."""
    system = int(one(sandbox, "SELECT id FROM mdl_context WHERE contextlevel = 10"))
    now = int(time.time())
    role = int(one(sandbox, "INSERT INTO mdl_role (name, shortname, description, sortorder, archetype) "
                            "SELECT 'Test integration', 'testintegration', '', MAX(sortorder) + 1, '' "
                            "FROM mdl_role RETURNING id"))
    for capability in ROLE_CAPABILITIES:
        if capability != left_out:
            sandbox.sql("INSERT INTO mdl_role_capabilities (contextid, roleid, capability, permission, "
                        "timemodified, modifierid) VALUES (%s, %s, %s, 1, %s, 2)", system, role, capability, now)
    sandbox.sql("INSERT INTO mdl_role_allow_assign (roleid, allowassign) SELECT %s, id FROM mdl_role "
                "WHERE shortname = 'student'", role)  # what enrol_manual_enrol_users needs with role:assign
    sandbox.sql("INSERT INTO mdl_role_assignments (roleid, contextid, userid, timemodified, modifierid, "
                "component, itemid, sortorder) VALUES (%s, %s, %s, %s, 2, '', 0, 0)", role, system, user, now)
