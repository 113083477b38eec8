"""The access step's decisions and the integration role's definition, without a browser: what the site shows
is given, what the step plans is asserted. The page objects are exercised by the integration tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from provisioner.errors import ForcedSettingError, PlaybookError, StepError
from provisioner.pages.role_definition import ALLOW, RoleDefinition
from provisioner.playbook import load_playbook
from provisioner.rest.capabilities import ROLE_CAPABILITIES
from provisioner.steps import access as access_module
from provisioner.steps.access import AccessStep
from provisioner.steps.base import StepContext
from provisioner.steps.connection import connection_spec
from provisioner.steps.facts import UserFact, remember_user
from provisioner.steps.integration_role import RoleState, definition_changes, wanted_definition
from provisioner.steps.params import AccessParams

ENROLLAIT = Path(__file__).resolve().parents[2] / "playbooks" / "enrollait.yml"
NAMES = {1: "manager", 5: "student", 9: "enrollait_integration"}


def wanted(**changes) -> RoleDefinition:
    definition = wanted_definition(AccessParams(user="u", mode="role"), NAMES)
    for key, value in changes.items():
        setattr(definition, key, value)
    return definition


def test_the_role_holds_the_capabilities_of_the_seven_functions_at_system_level():
    role = wanted()
    assert set(role.permissions) == set(ROLE_CAPABILITIES) and set(role.permissions.values()) == {ALLOW}
    assert "webservice/rest:use" in role.permissions and "moodle/role:assign" in role.permissions
    assert (role.context_levels, role.allowed, role.archetype) == (frozenset({10}), {"assign": frozenset({5})}, "")


def test_a_site_without_the_role_to_assign_is_an_error_naming_it():
    with pytest.raises(StepError, match="no role with the short name student"):
        wanted_definition(AccessParams(user="u", mode="role"), {1: "manager"})


def test_an_identical_role_needs_no_change_and_a_missing_one_is_created():
    assert definition_changes(wanted(), wanted(), NAMES) == []
    [create] = definition_changes(None, wanted(), NAMES)
    assert create.startswith("create role 'Enrollait integration' (enrollait_integration) with 11 capabilities")
    assert "allowed to assign student" in create


def test_drift_in_the_role_is_described_capability_by_capability():
    current = wanted(name="Old name", context_levels=frozenset({10, 50}), allowed={"assign": frozenset({1, 5})},
                     permissions={**{c: ALLOW for c in ROLE_CAPABILITIES if c != "moodle/user:create"},
                                  "moodle/site:config": -1000, "moodle/course:update": ALLOW})
    assert definition_changes(current, wanted(), NAMES) == [
        "rename the role to 'Enrollait integration' (was 'Old name')",
        "make the role assignable in the System context only",
        "allow moodle/user:create",
        "clear moodle/course:update (allow), moodle/site:config (prohibit)",
        "let the role assign student only"]


def test_a_capability_prevented_in_the_role_is_not_held():
    current = wanted(permissions={**wanted().permissions, "moodle/user:create": -1})
    assert definition_changes(current, wanted(), NAMES) == ["allow moodle/user:create"]


# --- the step's decisions ----------------------------------------------------------------------------------
@pytest.fixture
def site(monkeypatch):
    """What the step reads: the role (defined as wanted, or not) and the site-admin list."""
    shown = {"role": RoleState(9, wanted(), True, NAMES, wanted()), "admin": False, "editable": True}
    monkeypatch.setattr(access_module, "read_role", lambda ctx, p, user, definition=True: shown["role"])
    monkeypatch.setattr(access_module, "admin_status", lambda ctx, user: (shown["admin"], shown["editable"]))
    return shown


def plan(mode: str):
    ctx = StepContext(site=None)
    remember_user(ctx, UserFact("enrollait-user", "e@x.invalid", "Enrollait Integration", 3))
    return AccessStep("access", AccessParams(user="enrollait-user", mode=mode)).plan(ctx)


def test_role_mode_converged_is_a_no_op_with_its_reason(site):
    result = plan("role")
    assert result.is_noop and "holds role 'enrollait_integration' (11 capabilities)" in result.reason


def test_role_mode_removes_the_site_admin_right_after_the_role_is_in_place(site):
    site["admin"], site["role"] = True, RoleState(None, None, False, NAMES, wanted())
    assert plan("role").changes[1:] == ["assign role 'enrollait_integration' to 'enrollait-user' at system level",
                                        "remove 'enrollait-user' from the site administrators"]


def test_a_forced_admin_list_blocks_role_mode_only_once_the_role_is_done(site):
    site["admin"], site["editable"] = True, False
    with pytest.raises(ForcedSettingError, match=r"\$CFG->siteadmins"):
        plan("role")
    site["role"] = RoleState(9, wanted(), False, NAMES, wanted())
    pending = plan("role")
    assert pending.changes[-1] == "remove 'enrollait-user' from the site administrators"
    assert "will be blocked" in pending.warnings[0]


def test_site_admin_mode_grants_the_right_and_drops_the_role(site):
    result = plan("site_admin")
    assert result.changes == ["make 'enrollait-user' a site administrator",
                              "remove role 'enrollait_integration' from 'enrollait-user' (a site administrator "
                              "needs no role)"]
    site["admin"], site["role"] = True, RoleState(9, None, False, NAMES)
    assert plan("site_admin").reason == "'enrollait-user' already a site administrator"


# --- the playbook ------------------------------------------------------------------------------------------
def test_the_playbook_variable_access_chooses_the_mode(monkeypatch):
    monkeypatch.delenv("ENROLLAIT_USER_PASSWORD", raising=False)
    [default] = [s.params for s in load_playbook(ENROLLAIT).steps if s.kind == "access"]
    [role] = [s.params for s in load_playbook(ENROLLAIT, {"access": "role"}).steps if s.kind == "access"]
    assert (default.mode, role.mode) == ("site_admin", "role")
    with pytest.raises(PlaybookError) as bad:
        load_playbook(ENROLLAIT, {"access": "admin"})
    assert bad.value.exit_code == 2 and "Give the integration user access" in str(bad.value)


def test_rotate_and_revoke_need_a_token_step_naming_declared_user_and_service(tmp_path, monkeypatch):
    monkeypatch.delenv("ENROLLAIT_USER_PASSWORD", raising=False)
    spec = connection_spec(load_playbook(ENROLLAIT).steps)
    assert (spec.token.user, spec.token.service, spec.access.role_shortname) == \
        ("enrollait-user", "enrollait", "enrollait_integration")
    bare = tmp_path / "bare.yml"
    bare.write_text("steps:\n  - name: w\n    webservices: {}\n")
    with pytest.raises(PlaybookError, match="no 'token' step"):
        connection_spec(load_playbook(bare).steps)
