"""A consultant's morning check: four lab sites' stored connections over REST, one broken after it was
provisioned (web services turned off), one unreachable. `verify --inventory` names exactly those two with
their cause, without a browser; `doctor --inventory --only-failed` names the step that fixes the first."""
from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.testing.sandbox import MoodleSandbox
from tests.integration.conftest import PLAYBOOK, run_cli

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("fleet-health")]


@pytest.fixture
def copies(moodle_sandbox, tmp_path):
    """Two more provisioned sites: copies of the 5.0 sandbox's template, each with its own token file."""
    engine, names, made = moodle_sandbox._engine, ("health-a", "health-b"), []
    (tmp_path / "tokens").mkdir()
    try:
        for name, port in zip(names, (8481, 8482)):
            engine.down(name, purge=True)
            up = engine.up(UpRequest(name=name, port=port, moodle_version=moodle_sandbox.version))
            copy = MoodleSandbox(name=name, url=up.url, admin_user=up.admin_user, admin_password=up.admin_password,
                                 version=up.version, release=up.release, _engine=engine)
            done = run_cli(copy, "run", str(PLAYBOOK), "--token-out", str(tmp_path / "tokens" / f"{name}.json"),
                           "--artifacts-dir", str(tmp_path / name))
            assert done.code == 0, done.stderr
            made.append(copy)
        yield made
    finally:
        for name in names:
            engine.down(name, purge=True)


@contextmanager
def _receiver():
    """A real HTTP endpoint standing in for the alert webhook: (its URL, the JSON documents it received)."""
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args):
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/moodle-alerts", received
    finally:
        server.shutdown()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_verify_inventory_names_exactly_the_broken_and_the_unreachable(site, copies, tmp_path):
    tokens = tmp_path / "tokens"
    (tokens / "school-main.json").write_bytes(site.token_file.read_bytes())
    gone = f"http://127.0.0.1:{_closed_port()}"
    (tokens / "school-gone.json").write_text(json.dumps({"site_url": gone, "token": "0123456789abcdef" * 2}))
    inventory = tmp_path / "schools.yml"
    inventory.write_text(f"""sites:
  school-main: {{url: "{site.url}"}}
  school-gone: {{url: "{gone}"}}
  health-a: {{url: "{copies[0].url}"}}
  health-b: {{url: "{copies[1].url}"}}
""")
    copies[0].cfg("enablewebservices", "0")  # someone turned web services off after provisioning

    report = tmp_path / "health.json"
    with _receiver() as (alerts_url, alerts):
        checked = run_cli(site.sandbox, "verify", "--inventory", str(inventory), "--token-file",
                          str(tokens / "{site}.json"), "--parallel", "4", "--report-json", str(report),
                          "--report-junit", str(tmp_path / "health.xml"), "--alert", f"webhook:{alerts_url}",
                          env={"ENROLLAIT_WEBHOOK_TOKEN": "alerts-bearer-42"})
    assert sorted(alert["site"] for alert in alerts) == ["health-a", "school-gone"]  # one webhook per broken site

    assert checked.code == 1, checked.stderr
    sites = {entry["site"]: entry for entry in json.loads(report.read_text())["sites"]}
    assert {name for name, entry in sites.items() if entry["outcome"] == "failed"} == {"health-a", "school-gone"}
    assert sites["health-a"]["cause"].startswith("Web services are disabled") and sites["health-a"]["step"] == 1
    assert "nothing answers at 127.0.0.1" in sites["school-gone"]["cause"]
    assert sites["health-b"]["username"] == "enrollait-user" and sites["school-main"]["release"]
    assert "Chromium" not in checked.stdout + checked.stderr
    for token_file in tokens.glob("*.json"):  # no token in anything printed or written
        token = json.loads(token_file.read_text())["token"]
        assert token not in checked.stdout + checked.stderr + report.read_text()
    junit = (tmp_path / "health.xml").read_text()
    assert junit.count("<failure") == 2 and 'failures="2"' in junit

    doctor = run_cli(site.sandbox, "doctor", "--inventory", str(inventory), "--token-file",
                     str(tokens / "{site}.json"), "--only-failed", str(report), "--json")
    assert doctor.code == 1
    diagnosed = {entry["site"]: entry for entry in json.loads(doctor.stdout)["sites"]}
    assert set(diagnosed) == {"health-a", "school-gone"}  # only the ones that failed
    assert (diagnosed["health-a"]["step"], diagnosed["health-a"]["step_name"]) == (1, "Enable web services")


def test_an_inventory_site_without_a_token_is_bad_input_before_any_check(site, tmp_path):
    inventory = tmp_path / "schools.yml"
    inventory.write_text(f'sites:\n  school-main: {{url: "{site.url}"}}\n')
    result = run_cli(site.sandbox, "verify", "--inventory", str(inventory))
    assert result.code == 2 and "no token to check" in result.stderr
