"""The test sandboxes look like a school's site, and tests can reach Moodle's command line and config.php."""
from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.integration
MOBILE = "SELECT id FROM mdl_external_services WHERE shortname = 'moodle_mobile_app'"


def counted(site, query: str, *params) -> int:
    return int(site.sql(query, *params)[0][0])


@pytest.mark.matrix
def test_a_school_has_thousands_of_users_hundreds_of_app_tokens_and_web_services_off(fresh_moodle):
    # fresh_moodle: what the reset gives back, whatever earlier tests switched on
    if fresh_moodle.profile != "school":
        pytest.skip(f"sandbox '{fresh_moodle.name}' has the {fresh_moodle.profile} profile "
                    "(PROVISIONER_TEST_PROFILE)")
    site = fresh_moodle
    assert counted(site, "SELECT COUNT(*) FROM mdl_user WHERE deleted = 0") >= 3000
    assert counted(site, "SELECT COUNT(*) FROM mdl_course WHERE format <> 'site'") >= 70  # the generator's
    mobile = counted(site, MOBILE)
    assert counted(site, "SELECT COUNT(DISTINCT userid) FROM mdl_external_tokens WHERE externalserviceid = %s",
                   mobile) >= 500
    # Minted as the app would be, by the students themselves; nothing switched on for it.
    assert counted(site, "SELECT COUNT(*) FROM mdl_external_tokens WHERE externalserviceid = %s AND "
                         "creatorid <> userid", mobile) == 0
    assert site.cfg("enablewebservices") == "0" and site.cfg("enablemobilewebservice") == "0"
    assert site.cfg("lang") == "en"


@pytest.mark.matrix
def test_the_language_packs_are_installed_and_english_stays_the_site_language(moodle_sandbox):
    moodle_sandbox.require_language("es")
    translations = moodle_sandbox.php_json("echo json_encode(get_string_manager()->get_list_of_translations());")
    assert "es" in translations and "en" in translations
    login = moodle_sandbox.php_json("$strings = get_string_manager(); "
                                   "echo json_encode([$strings->get_string('login', 'moodle', null, 'en'), "
                                   "$strings->get_string('login', 'moodle', null, 'es')]);")
    assert login[0] == "Log in" and login[1] not in ("", "Log in")
    assert 'lang="en"' in httpx.get(f"{moodle_sandbox.url}/login/index.php", timeout=60).text


@pytest.mark.matrix
def test_a_setting_forced_in_config_php_counts_at_once_and_reset_removes_it(fresh_moodle):
    def served_theme() -> str:
        page = httpx.get(f"{fresh_moodle.url}/login/index.php", timeout=60).text
        return re.search(r'"theme":"(\w+)"', page).group(1)

    assert served_theme() == "boost"
    fresh_moodle.force_config("theme", "classic")
    fresh_moodle.force_config("siteadmins", "2")

    assert served_theme() == "classic"  # the web server's next request
    assert fresh_moodle.php_json("echo json_encode([$CFG->siteadmins, "
                                 "array_key_exists('siteadmins', $CFG->config_php_settings)]);") == ["2", True]

    fresh_moodle.reset()

    assert served_theme() == "boost"
    assert fresh_moodle.php_json("echo json_encode(array_key_exists('siteadmins', $CFG->config_php_settings));") \
        is False


def test_a_forced_setting_ends_with_its_test_1(moodle_sandbox):
    moodle_sandbox.force_config("theme", "classic")  # no reset after it: the plugin restores config.php


def test_a_forced_setting_ends_with_its_test_2(moodle_sandbox):
    """Runs after _1 (file order)."""
    assert moodle_sandbox.php_json("echo json_encode(array_key_exists('theme', $CFG->config_php_settings));") \
        is False


def test_cfg_sets_a_setting_as_the_admin_ui_would_and_reset_undoes_it(fresh_moodle):
    assert fresh_moodle.cfg("enablewebservices") == "0"
    fresh_moodle.cfg("enablewebservices", "1")
    assert fresh_moodle.sql("SELECT value FROM mdl_config WHERE name = 'enablewebservices'") == [("1",)]
    assert fresh_moodle.cfg("nosuchsetting") is None
    fresh_moodle.reset()
    assert fresh_moodle.cfg("enablewebservices") == "0"


@pytest.mark.matrix
def test_reset_returns_to_a_school_nobody_has_provisioned_yet(fresh_moodle):
    # The profile is applied to the template, never on top of what an earlier test left behind.
    assert counted(fresh_moodle, "SELECT COUNT(*) FROM mdl_user WHERE username = 'enrollait-user'") == 0
    assert counted(fresh_moodle, "SELECT COUNT(*) FROM mdl_external_services WHERE shortname = 'enrollait'") == 0
