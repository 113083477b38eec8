"""rotate and revoke on a real Moodle: no downtime, nothing lost, nothing half-done unreported."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from provisioner.rest.client import MoodleRestClient, RestError
from provisioner.secrets import Secret
from tests.integration.conftest import PLAYBOOK, run_cli
from tests.integration.school import ROLE, role_state

pytestmark = pytest.mark.integration


def answers_as(site_url: str, token: str) -> str:
    """Who the token answers as over REST, or Moodle's errorcode."""
    try:
        with MoodleRestClient(site_url, Secret(token)) as rest:
            return rest.call("core_webservice_get_site_info")["username"]
    except RestError as exc:
        return exc.errorcode


def tokens(sandbox) -> list[str]:
    return [r[0] for r in sandbox.sql("SELECT t.id FROM mdl_external_tokens t JOIN mdl_user u ON u.id = t.userid "
                                      "WHERE u.username = 'enrollait-user' ORDER BY t.id")]


def test_rotate_hands_off_before_deleting_and_keeps_the_old_token_when_the_hand_off_fails(provisioned_site,
                                                                                           tmp_path):
    site, old = provisioned_site.sandbox, provisioned_site.token.reveal()
    artifacts = tmp_path / "artifacts"
    before = tokens(site)

    check = run_cli(site, "rotate", str(PLAYBOOK), "--check", "--json")

    assert check.code == 3, check.stderr
    assert [s["status"] for s in check.report["steps"]] == ["unchanged", "pending", "pending", "pending"]
    assert tokens(site) == before

    failed = run_cli(site, "rotate", str(PLAYBOOK), "--json", "--handoff", f"file:{tmp_path}/missing/dir.json",
                     "--artifacts-dir", str(artifacts))

    assert failed.code == 1, failed.stderr
    assert [s["status"] for s in failed.report["steps"]] == ["unchanged", "changed", "failed", "skipped"]
    rescued = Path(failed.report["saved_in"])
    assert rescued.parent == artifacts
    assert stat.S_IMODE(rescued.stat().st_mode) == 0o600
    new = json.loads(rescued.read_text())["token"]
    assert len(tokens(site)) == 2
    assert answers_as(site.url, old) == answers_as(site.url, new) == "enrollait-user"  # both work: no downtime

    out = tmp_path / "rotated.json"
    rotated = run_cli(site, "rotate", str(PLAYBOOK), "--json", "--token-out", str(out),
                      "--artifacts-dir", str(artifacts))

    assert rotated.code == 0, rotated.stderr
    newest = json.loads(out.read_text())["token"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(tokens(site)) == 1 and tokens(site)[0] not in before
    assert answers_as(site.url, newest) == "enrollait-user"
    assert answers_as(site.url, old) == answers_as(site.url, new) == "invalidtoken"
    assert rotated.report["verification"]["ok"] is True
    printed = "".join(r.stdout + r.stderr for r in (check, failed, rotated))
    assert not [s for s in (old, new, newest, site.admin_password.reveal()) if s in printed]


def test_revoke_check_lists_what_revoke_then_removes(role_site):
    site = role_site.sandbox
    user_id = site.sql("SELECT id FROM mdl_user WHERE username = %s", "enrollait-user")[0][0]

    check = run_cli(site, "revoke", str(PLAYBOOK), "--offboard", "--check", "--json")

    assert check.code == 3, check.stderr
    assert check.report["would_remove"] == [
        f"delete token id {tokens(site)[0]} of 'enrollait-user' on 'enrollait'",
        f"delete service 'Enrollait Service' (enrollait, id "
        f"{site.sql('SELECT id FROM mdl_external_services WHERE shortname = %s', 'enrollait')[0][0]}) "
        "with its functions and authorised users",
        f"unassign role '{ROLE}' from 'enrollait-user'",
        f"delete role 'Enrollait integration' ({ROLE}, id "
        f"{site.sql('SELECT id FROM mdl_role WHERE shortname = %s', ROLE)[0][0]}) and any other assignment of it",
        f"delete user 'enrollait-user' (id {user_id})"]
    assert len(tokens(site)) == 1 and role_state(site)["holds"]

    revoked = run_cli(site, "revoke", str(PLAYBOOK), "--json")

    assert revoked.code == 0, revoked.stderr
    assert revoked.report["removed"] == check.report["would_remove"][:1]
    assert tokens(site) == [] and answers_as(site.url, role_site.token.reveal()) == "invalidtoken"

    offboarded = run_cli(site, "revoke", str(PLAYBOOK), "--offboard", "--json")

    assert offboarded.code == 0, offboarded.stderr
    assert offboarded.report["removed"] == check.report["would_remove"][1:]
    assert site.sql("SELECT COUNT(*) FROM mdl_external_services WHERE shortname = 'enrollait'") == [("0",)]
    assert site.sql("SELECT deleted FROM mdl_user WHERE id = %s", user_id) == [("1",)]
    assert role_state(site)["role"] is None

    again = run_cli(site, "revoke", str(PLAYBOOK), "--offboard", "--check", "--json")
    assert again.code == 0 and again.report["would_remove"] == []


def test_offboarding_a_site_admin_removes_the_right_before_the_user(provisioned_site):
    site = provisioned_site.sandbox

    offboarded = run_cli(site, "revoke", str(PLAYBOOK), "--offboard", "--json")

    assert offboarded.code == 0, offboarded.stderr
    removed = offboarded.report["removed"]
    assert removed.index("remove 'enrollait-user' from the site administrators") < len(removed) - 1
    assert removed[-1].startswith("delete user 'enrollait-user'")
    admins = site.sql("SELECT value FROM mdl_config WHERE name = 'siteadmins'")[0][0].split(",")
    assert admins == [site.sql("SELECT id FROM mdl_user WHERE username = %s", site.admin_user)[0][0]]
