"""A school whose admin UI speaks Spanish: the main job converges and a re-run changes nothing.

The site's language and the admin's own are both `es` (the real pack, from the sandbox's language
cache), so every page the run reads is served in Spanish: no page object may depend on English text.
"""
from __future__ import annotations

import httpx
import pytest

from tests.integration.conftest import DECLARED, PLAYBOOK, db_state, one_lasting_token, run_cli

pytestmark = pytest.mark.integration
KINDS = ["webservices", "protocol", "user", "service", "service_functions", "authorised_user", "access",
         "token"]


def speak_spanish(site) -> None:
    site.require_language("es")
    site.cfg("lang", "es")
    site.sql("UPDATE mdl_user SET lang = 'es' WHERE username = %s", site.admin_user)
    site.php("purge_all_caches();")


@pytest.mark.matrix
def test_a_spanish_site_converges_then_a_rerun_changes_nothing(fresh_moodle, tmp_path):
    speak_spanish(fresh_moodle)
    assert 'lang="es"' in httpx.get(f"{fresh_moodle.url}/login/index.php", timeout=60).text
    token_file = tmp_path / "enrollait.json"

    first = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--json", "--token-out", str(token_file))

    assert first.code == 0, first.stderr
    assert first.statuses() == {kind: "changed" for kind in KINDS}
    assert first.report["verification"]["ok"] is True
    state = db_state(fresh_moodle)
    assert {key: state[key] for key in DECLARED} == DECLARED
    assert state["tokens"] == one_lasting_token(fresh_moodle)

    second = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--json", "--token-out", str(token_file))

    assert second.code == 0, second.stderr
    assert second.statuses() == {kind: "unchanged" for kind in KINDS}
    assert db_state(fresh_moodle)["tokens"] == state["tokens"]  # found again among the app tokens
    # The admin's session stayed in Spanish: the run did not switch the UI's language to cope.
    assert fresh_moodle.sql("SELECT lang FROM mdl_user WHERE username = %s", fresh_moodle.admin_user) == [("es",)]
