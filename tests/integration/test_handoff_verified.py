"""Hand-off of a connection verified on a real Moodle: the .env file works as input again, the webhook
receives it after a 503, and once the connection no longer verifies nothing is handed off."""
from __future__ import annotations

import json
import stat

import pytest

from tests.integration.conftest import admin_ui, run_cli
from tests.unit.test_handoff_webhook import Receiver

pytestmark = pytest.mark.integration


def test_handoff_after_verification_and_none_after_a_failed_one(site, tmp_path):
    from provisioner.pages.service_functions import ServiceFunctionsPage

    token_file, env_file = tmp_path / "token", tmp_path / "enrollait.env"
    token_file.write_text(site.token.reveal())
    hook = Receiver([503, 200])
    try:
        result = run_cli(site.sandbox, "verify", "--token-file", str(token_file), "--handoff", f"file:{env_file}",
                         "--handoff", f"webhook:{hook.url}", env={"ENROLLAIT_WEBHOOK_TOKEN": "bearer-for-test"})
    finally:
        hook.close()
    assert result.code == 0, result.stderr
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    [_, delivered] = hook.requests
    payload = json.loads(delivered["body"])
    assert payload["token"] == site.token.reveal() and payload["verification"]["ok"] is True
    assert payload["site_info"]["username"] == "enrollait-user"
    assert site.token.reveal() not in result.stdout + result.stderr

    # The .env holds the names verify reads, with the exact token.
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if not line.startswith("#"))
    assert json.loads(values["MOODLE_TOKEN"]) == site.token.reveal()
    assert json.loads(values["MOODLE_SITE_URL"]) == site.url

    [[service]] = site.sandbox.sql("SELECT id FROM mdl_external_services WHERE shortname = 'enrollait'")
    with admin_ui(site.sandbox) as ui:
        ServiceFunctionsPage(ui).remove(int(service), "enrol_manual_enrol_users")
    target = tmp_path / "connection.json"
    result = run_cli(site.sandbox, "verify", "--token-file", str(token_file), "--handoff", f"file:{target}")
    assert result.code == 1 and not target.exists()
