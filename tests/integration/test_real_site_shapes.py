"""Sites shaped like real schools' rather than a fresh install: a set-up begun by hand, a long token list,
settings forced in config.php, another standard theme. Arranged in Moodle's database or config.php, acted on
through the CLI, asserted through the database."""
from __future__ import annotations

import json
import time

import pytest

from tests.integration.conftest import (PLAYBOOK, SEVEN, db_state, forced_in_config_php, has_column, insert_row,
                                        run_cli)

pytestmark = pytest.mark.integration
EMAIL = "enrollait-user@example.invalid"  # the playbook's default


def mnet_host(site) -> str:
    return site.sql("SELECT value FROM mdl_config WHERE name = 'mnet_localhost_id'")[0][0]


def add_user(site, username: str, email: str, **extra) -> int:
    fields = {"auth": "manual", "confirmed": 1, "mnethostid": mnet_host(site), "username": username,
              "password": "", "firstname": "Some", "lastname": "One", "email": email, "timecreated": 0,
              "timemodified": 0} | extra
    return insert_row(site, "user", **fields)


def add_token(site, user_id: int, service_id: int, valid_until: int) -> int:
    extra = {"name": f"Webservice-{user_id}"} if has_column(site, "external_tokens", "name") else {}
    return insert_row(site, "external_tokens", token=f"{user_id:032x}", privatetoken="p" * 64, tokentype=0,
                      userid=user_id, externalserviceid=service_id, contextid=1, creatorid=2,
                      timecreated=0, validuntil=valid_until, **extra)


def service_id(site, shortname: str) -> int:
    return int(site.sql("SELECT id FROM mdl_external_services WHERE shortname = %s", shortname)[0][0])


def lasting_tokens(site) -> list[str]:
    """validuntil of each token of the integration user on the service ("0": no expiry)."""
    return [valid_until for _name, valid_until in db_state(site)["tokens"]]


def user_row(site) -> tuple:
    return site.sql("SELECT id, email, firstname, lastname, suspended, auth FROM mdl_user "
                    "WHERE username = 'enrollait-user' AND deleted = 0")


def test_a_set_up_begun_by_hand_is_adopted_not_duplicated(fresh_moodle, tmp_path):
    site = fresh_moodle
    user_id = add_user(site, "enrollait-user", "it-old@school.invalid", auth="nologin", suspended=1,
                       firstname="Enrollait", lastname="API")
    sid = insert_row(site, "external_services", name="Enrollait Service", enabled=0, requiredcapability="",
                     restrictedusers=1, timecreated=0, timemodified=0, shortname="enrollait", downloadfiles=0,
                     uploadfiles=0)
    for function in SEVEN[:3]:
        insert_row(site, "external_services_functions", externalserviceid=sid, functionname=function)
    expiring = add_token(site, user_id, sid, valid_until=int(time.time()) + 30 * 86400)  # the form's default

    first = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", str(tmp_path / "t.json"))

    assert first.code == 0, first.stderr
    steps = {s["kind"]: s for s in first.report["steps"]}
    assert sorted(steps["user"]["changes"]) == sorted([
        "set email to 'enrollait-user@example.invalid' (was 'it-old@school.invalid')",
        "set lastname to 'Integration' (was 'API')", "set auth to 'webservice' (was 'nologin')",
        "unsuspend the user"])
    assert user_row(site) == [(str(user_id), EMAIL, "Enrollait", "Integration", "0", "webservice")]
    assert service_id(site, "enrollait") == sid and db_state(site)["service"] == ("Enrollait Service", "1", "1")
    assert db_state(site)["functions"] == sorted(SEVEN)
    tokens = site.sql("SELECT id, validuntil FROM mdl_external_tokens WHERE userid = %s ORDER BY id", user_id)
    assert tokens[0] == (str(expiring), tokens[0][1]) and len(tokens) == 2 and tokens[1][1] == "0"
    assert any("expiry" in w for w in steps["token"]["warnings"])
    assert first.report["verification"]["ok"] is True

    again = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", str(tmp_path / "t.json"))

    assert again.code == 0, again.stderr
    assert {s["status"] for s in again.report["steps"]} == {"unchanged"}
    assert site.sql("SELECT COUNT(*) FROM mdl_external_tokens WHERE userid = %s", user_id) == [("2",)]


def test_another_account_holding_the_email_is_named_and_the_user_is_not_created(fresh_moodle):
    site = fresh_moodle
    other = add_user(site, "jdoe", EMAIL.upper())  # Moodle compares e-mails without regard to case

    result = run_cli(site, "run", str(PLAYBOOK), "--json")

    assert result.code == 1
    user_step = next(s for s in result.report["steps"] if s["kind"] == "user")
    assert user_step["status"] == "failed"
    assert "'jdoe'" in user_step["reason"] and f"id {other}" in user_step["reason"]
    assert user_row(site) == []
    assert [s["status"] for s in result.report["steps"][3:]] == ["skipped"] * 5


def test_a_token_list_longer_than_a_page_is_searched_not_read_from_page_one(provisioned_site):
    site, token_file = provisioned_site.sandbox, str(provisioned_site.token_file)
    small = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", token_file)
    mobile = service_id(site, "moodle_mobile_app")
    for n in range(70):  # students' Moodle-app tokens: more than two pages of the list
        add_token(site, add_user(site, f"student{n:03d}", f"student{n:03d}@school.invalid"), mobile,
                  valid_until=int(time.time()) + 84 * 86400)

    rotated = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", token_file, "--rotate-token")
    large = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", token_file)

    assert rotated.code == 0, rotated.stderr  # the new token was found again among the others
    assert large.code == 0, large.stderr
    assert [s["status"] for s in large.report["steps"]] == ["unchanged"] * 8
    assert lasting_tokens(site) == ["0"]  # the old one deleted, no other minted
    def requests(run) -> int:  # rendered or only read: every page Moodle had to serve
        return run.report["page_loads"] + run.report["pages_read"]
    assert requests(large) <= 1.5 * requests(small)


def test_site_admins_forced_in_config_php_block_only_their_step(fresh_moodle, tmp_path):
    site = fresh_moodle
    with forced_in_config_php(site, siteadmins="2"):
        first = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", str(tmp_path / "t.json"))
        again = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", str(tmp_path / "t.json"))

    assert first.code == 1
    statuses = first.statuses()
    assert statuses.pop("access") == "blocked"
    assert set(statuses.values()) == {"changed"}
    blocked = next(s for s in first.report["steps"] if s["kind"] == "access")
    assert "config.php" in blocked["reason"] and "$CFG->siteadmins" in blocked["reason"]
    assert "blocked" in first.stderr and "config.php" in first.stderr
    assert len(db_state(site)["tokens"]) == 1
    # What counts is the forced list (4.1 also writes the click to the database, where it has no effect):
    # over REST the token cannot do what needs an administrator's rights, and the run says so.
    assert first.report["verification"]["ok"] is False and first.report["verification_problems"]
    assert again.code == 1 and again.statuses()["access"] == "blocked"
    assert {k: v for k, v in again.statuses().items() if k != "access"} == {
        k: "unchanged" for k in statuses}
    assert len(db_state(site)["tokens"]) == 1  # the re-run minted nothing


@pytest.mark.parametrize("forced, kind", [({"enablewebservices": 0}, "webservices"),
                                          ({"webserviceprotocols": "soap"}, "protocol")])
def test_web_service_settings_forced_in_config_php_are_reported_as_such(fresh_moodle, forced, kind):
    site = fresh_moodle
    with forced_in_config_php(site, **forced):
        result = run_cli(site, "run", str(PLAYBOOK), "--json")

    assert result.code == 1
    step = next(s for s in result.report["steps"] if s["kind"] == kind)
    assert step["status"] == "blocked"
    assert f"$CFG->{next(iter(forced))}" in step["reason"] and "config.php" in step["reason"]
    others = {k: v for k, v in result.statuses().items() if k != kind}
    assert set(others.values()) == {"changed"}  # the steps that do not depend on it still ran
    assert lasting_tokens(site) == ["0"]


def test_the_classic_theme_converges(fresh_moodle, tmp_path):
    site = fresh_moodle
    with forced_in_config_php(site, theme="classic"):
        first = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", str(tmp_path / "t.json"))
        again = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", str(tmp_path / "t.json"))

    assert first.code == 0, first.stderr
    assert again.code == 0, again.stderr
    assert set(again.statuses().values()) == {"unchanged"}
    assert json.loads((tmp_path / "t.json").read_text())["token"]


@pytest.mark.matrix
def test_a_site_policy_to_agree_to_does_not_lock_out_a_least_privilege_user(fresh_moodle, tmp_path):
    site = fresh_moodle
    token_file = str(tmp_path / "t.json")
    with forced_in_config_php(site, sitepolicy="https://school.example/policy.html"):
        # As an admin would set the user up by hand (manual authentication): Moodle refuses it.
        manual = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", token_file,
                         "--var", "access=role", "--var", "user_auth=manual")
        doctor = run_cli(site, "doctor", "--token-file", token_file, "--json")
        # The playbook's default: the web-service authentication, which the site policy does not apply to.
        first = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", token_file, "--var", "access=role")
        again = run_cli(site, "run", str(PLAYBOOK), "--json", "--token-out", token_file, "--var", "access=role")

    assert manual.code == 1 and manual.report["verification"]["ok"] is False
    assert "has not agreed to the site policy" in " ".join(manual.report["verification_problems"])
    assert "<a" not in manual.stdout + manual.stderr  # Moodle's HTML link is not shown as markup
    finding = json.loads(doctor.stdout)["findings"][0]
    assert (finding["step"], finding["cause"]) == (3, "The token's user has not agreed to the site policy")

    assert first.code == 0, first.stderr
    assert first.statuses()["user"] == "changed" and first.report["verification"]["ok"] is True
    assert user_row(site)[0][5] == "webservice" and not db_state(site)["site_admin"]
    assert again.code == 0 and set(again.statuses().values()) == {"unchanged"}
