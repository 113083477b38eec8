"""Role mode on a real Moodle: the token does Enrollait's real work without being a site administrator;
drift in the role is reported and repaired; a site switches between the modes both ways."""
from __future__ import annotations

import dataclasses

import pytest

from provisioner.rest.client import MoodleRestClient, RestError
from tests.integration.conftest import PLAYBOOK, admin_ui, run_cli
from tests.integration.school import DECLARED_ROLE, ROLE, arrange_school, role_state

pytestmark = pytest.mark.integration
ROLE_MODE = ("--var", "access=role")


def test_role_mode_token_does_enrollaits_work_and_nothing_else(role_site, tmp_path):
    site = role_site.sandbox
    assert role_state(site) == {"role": DECLARED_ROLE, "site_admin": False, "holds": True}
    school = arrange_school(site)
    student = int(site.sql("SELECT id FROM mdl_role WHERE shortname = 'student'")[0][0])
    admin_email = site.sql("SELECT email FROM mdl_user WHERE username = %s", site.admin_user)[0][0]

    with MoodleRestClient(role_site.url, role_site.token) as rest:
        assert rest.call("core_webservice_get_site_info")["userissiteadmin"] is False
        categories = {c["id"] for c in rest.call("core_course_get_categories")}
        courses = {c["id"] for c in rest.call("core_course_get_courses")}
        found = rest.call("core_user_get_users", {"criteria": [{"key": "email", "value": admin_email}]})["users"]
        [created] = rest.call("core_user_create_users", {"users": [{
            "username": "pupil-one", "password": "Pupil-Pass-1!", "firstname": "Pupil", "lastname": "One",
            "email": "pupil-one@example.invalid"}]})
        enrolled = rest.call("enrol_manual_enrol_users", {"enrolments": [
            {"roleid": student, "userid": created["id"], "courseid": school.hidden_course}]})
        with pytest.raises(RestError) as outside:
            rest.call("core_course_get_contents", {"courseid": school.visible_course})

    assert {1, school.hidden_category} <= categories
    assert {school.visible_course, school.hidden_course} <= courses
    assert [u["username"] for u in found] == [site.admin_user]
    assert created["username"] == "pupil-one" and enrolled is None
    assert site.sql("SELECT COUNT(*) FROM mdl_user_enrolments ue JOIN mdl_enrol e ON e.id = ue.enrolid "
                    "WHERE e.courseid = %s AND e.enrol = 'manual' AND ue.userid = %s",
                    school.hidden_course, created["id"]) == [("1",)]
    assert site.sql("SELECT COUNT(*) FROM mdl_role_assignments ra JOIN mdl_context c ON c.id = ra.contextid "
                    "WHERE c.contextlevel = 50 AND c.instanceid = %s AND ra.userid = %s AND ra.roleid = %s",
                    school.hidden_course, created["id"], student) == [("1",)]
    assert outside.value.errorcode == "accessexception"

    verified = run_cli(site, "verify", "--token-file", str(role_site.token_file), "--json")
    assert verified.code == 0, verified.stdout
    assert (verified.report["access"], verified.report["missing_capabilities"]) == ("role", [])
    # Every course but the front page, hidden ones included (a school sandbox has dozens).
    assert verified.report["sync_preview"]["courses"] == int(site.sql("SELECT COUNT(*) FROM mdl_course "
                                                                      "WHERE format <> 'site'")[0][0])

    again = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", str(role_site.token_file), *ROLE_MODE)
    assert again.code == 0, again.stderr
    assert set(again.statuses().values()) == {"unchanged"}
    printed = verified.stdout + verified.stderr + again.stdout + again.stderr
    assert role_site.token.reveal() not in printed and site.admin_password.reveal() not in printed


def test_role_drift_is_reported_by_check_and_repaired_by_run(role_site, tmp_path):
    from provisioner.pages.role_assign import SystemRoleAssignPage
    from provisioner.pages.role_definition import RoleDefinitionPage
    from provisioner.pages.roles import RolesListPage

    site = role_site.sandbox
    user_id = int(site.sql("SELECT id FROM mdl_user WHERE username = 'enrollait-user'")[0][0])
    with admin_ui(site) as ui:  # an admin tidying up by hand
        role = RolesListPage(ui).find(ROLE)
        definition = RoleDefinitionPage(ui).read(role.id)
        kept = {cap: perm for cap, perm in definition.permissions.items() if cap != "moodle/user:create"}
        RoleDefinitionPage(ui).save(role.id, dataclasses.replace(definition, permissions=kept))
        SystemRoleAssignPage(ui).unassign(role.id, user_id, "Enrollait Integration")
    broken = role_state(site)
    assert "moodle/user:create" not in broken["role"]["allowed"] and not broken["holds"]
    refused = run_cli(site, "verify", "--token-file", str(role_site.token_file), "--json")
    assert refused.code == 1  # without the role the token cannot even use REST

    check = run_cli(site, "run", str(PLAYBOOK), "--check", "--json", *ROLE_MODE)

    assert check.code == 3, check.stderr
    assert {k: v for k, v in check.statuses().items() if v != "unchanged"} == {"access": "pending"}
    [access] = [s for s in check.report["steps"] if s["kind"] == "access"]
    assert access["changes"] == ["allow moodle/user:create",
                                 "assign role 'enrollait_integration' to 'enrollait-user' at system level"]
    assert role_state(site) == broken

    repair = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", str(role_site.token_file), *ROLE_MODE)

    assert repair.code == 0, repair.stderr
    assert repair.report["verification"]["ok"] is True
    assert role_state(site) == {"role": DECLARED_ROLE, "site_admin": False, "holds": True}


def test_a_site_switches_from_role_to_site_admin_and_back(role_site):
    site = role_site.sandbox
    token = ("--token-out", str(role_site.token_file))

    to_admin = run_cli(site, "run", str(PLAYBOOK), "--json", *token)

    assert to_admin.code == 0, to_admin.stderr
    assert to_admin.report["verification"]["is_site_admin"] is True
    assert role_state(site) == {"role": DECLARED_ROLE, "site_admin": True, "holds": False}

    back = run_cli(site, "run", str(PLAYBOOK), "--json", *token, *ROLE_MODE)

    assert back.code == 0, back.stderr
    assert (back.report["verification"]["is_site_admin"], back.report["verification"]["access"]) == (False, "role")
    assert role_state(site) == {"role": DECLARED_ROLE, "site_admin": False, "holds": True}
