"""Hand-off targets: parsed up front (bad input = exit 2), delivered only for a verified connection."""
from __future__ import annotations

import io
import json

import pytest

from provisioner.errors import EXIT_BAD_INPUT, HandoffError, PlaybookError
from provisioner.handoff import Connection, deliver, parse_targets
from provisioner.handoff.targets import FileTarget, StdoutTarget, WebhookTarget
from provisioner.secrets import Secret

TOKEN = "9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a"
ENV = {"ENROLLAIT_WEBHOOK_TOKEN": "whk-credential-123"}


def connection(verified=True) -> Connection:
    return Connection("https://school.example", Secret(TOKEN), {"sitename": "School"}, {"ok": verified},
                      verified=verified)


def test_targets_parse_by_prefix(tmp_path):
    stdout, file, hook = parse_targets(["stdout", f"file:{tmp_path}/c.env", "webhook:https://e.example/h"], ENV)
    assert isinstance(stdout, StdoutTarget) and isinstance(file, FileTarget) and isinstance(hook, WebhookTarget)
    assert hook.bearer.reveal() == "whk-credential-123" and "whk" not in repr(hook)


@pytest.mark.parametrize("spec, message", [
    ("email:ops@example", "unknown hand-off target"),
    ("file:", "unknown hand-off target"),
    ("webhook:ftp://e.example/h", r"http\(s\) URL"),
    ("webhook:http://enrollait.example/h", "use https"),
])
def test_bad_targets_are_bad_input(spec, message):
    with pytest.raises(PlaybookError, match=message) as caught:
        parse_targets([spec], ENV)
    assert caught.value.exit_code == EXIT_BAD_INPUT


def test_webhook_needs_its_credential_in_the_environment():
    with pytest.raises(PlaybookError, match="ENROLLAIT_WEBHOOK_TOKEN"):
        parse_targets(["webhook:https://e.example/h"], {})


def test_plain_http_webhook_is_accepted_on_loopback_only():
    assert parse_targets(["webhook:http://127.0.0.1:8080/h"], ENV)


def test_an_unverified_connection_is_never_handed_off(tmp_path):
    with pytest.raises(HandoffError, match="verification failed"):
        deliver([f"file:{tmp_path}/c.json"], connection(verified=False), env=ENV)
    assert list(tmp_path.iterdir()) == []


def test_stdout_gets_the_json_payload_and_the_description_no_token():
    out = io.StringIO()
    [description] = deliver(["stdout"], connection(), out=out, env=ENV)
    assert json.loads(out.getvalue())["token"] == TOKEN
    assert TOKEN not in description


def test_one_failing_target_does_not_cost_the_others(tmp_path):
    good = tmp_path / "c.json"
    with pytest.raises(HandoffError) as caught:
        deliver([f"file:{tmp_path}/missing/c.json", f"file:{good}"], connection(), env=ENV)
    assert good.exists()
    assert caught.value.delivered == [f"file {good} (JSON, mode 0600)"]
    assert TOKEN not in str(caught.value)


def test_idempotency_key_is_stable_per_site_and_token_and_is_not_the_token():
    key = connection().idempotency_key()
    assert key == connection().idempotency_key() and TOKEN not in key
    other = Connection("https://school.example", Secret("0" * 32), {}, {}, True)
    assert other.idempotency_key() != key
