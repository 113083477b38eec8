"""Sites whose login page is not the plain form: single sign-on, no manual form, a password to change."""
from __future__ import annotations

import pytest

from tests.integration.conftest import PLAYBOOK, admin_ui, db_state, run_cli
from tests.integration.signin_helpers import set_admin_settings

pytestmark = pytest.mark.integration
# A closed port: were the run to follow Moodle to the alternate login page, it would fail to connect.
NOWHERE = "http://127.0.0.1:9/sso/login"


@pytest.fixture
def reset_after(fresh_moodle):
    """The sandbox's own readiness check asks for login/index.php, which alternateloginurl redirects: put the
    site back so the next `sandbox up` finds it ready."""
    yield fresh_moodle
    fresh_moodle.reset()


def test_alternateloginurl_is_bypassed_and_the_password_login_works(reset_after):
    fresh_moodle = reset_after
    with admin_ui(fresh_moodle) as ui:
        set_admin_settings(ui, "manageauths", {"_alternateloginurl": NOWHERE})
    assert fresh_moodle.sql("SELECT value FROM mdl_config WHERE name = 'alternateloginurl'") == [(NOWHERE,)]

    result = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--check", "--json")

    assert result.code == 3, result.stderr  # signed in, read every step, changes pending
    assert set(result.statuses().values()) == {"pending"}


def test_a_site_without_a_manual_login_form_says_to_use_provisioner_login(fresh_moodle):
    with admin_ui(fresh_moodle) as ui:
        set_admin_settings(ui, "manageauths", {"_showloginform": False})
    before = db_state(fresh_moodle)

    result = run_cli(fresh_moodle, "run", str(PLAYBOOK))

    assert result.code == 1
    assert "no Moodle login form" in result.stderr and "provisioner login" in result.stderr
    assert "Traceback" not in result.stderr
    assert db_state(fresh_moodle) == before


def test_an_admin_who_must_change_the_password_is_told_so(fresh_moodle):
    fresh_moodle.sql("INSERT INTO mdl_user_preferences (userid, name, value) SELECT id, "
                     "'auth_forcepasswordchange', '1' FROM mdl_user WHERE username = %s", fresh_moodle.admin_user)
    before = db_state(fresh_moodle)

    result = run_cli(fresh_moodle, "run", str(PLAYBOOK))

    assert result.code == 1
    assert "must change its password" in result.stderr and "wrong user name" not in result.stderr
    assert db_state(fresh_moodle) == before
