"""--browser-endpoint: the browser runs in Playwright's own browser server (`playwright run-server`, shipped
with the Python package), started here; the client launches no Chromium of its own.

Where Playwright cannot download its browsers (as on these machines), the server is told to launch the
system Chromium: started with --unsafe (which lets clients choose launch options; keep such a server on
loopback or a private network), and the endpoint URL carries the executable in `launch-options`.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import quote

import pytest

from tests.integration.fleet_helpers import fleet, run_fleet, write_inventory  # noqa: F401  (fixture)

# One worker under pytest-xdist (--dist loadgroup): these tests share sandboxes of fixed names.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("fleet")]
SERVER_PORT = int(os.environ.get("PROVISIONER_TEST_BROWSER_SERVER_PORT", "8460"))
SYSTEM_CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser_server(tmp_path):
    """`python -m playwright run-server` on loopback, in its own process group, stopped afterwards."""
    log = open(tmp_path / "run-server.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "playwright", "run-server", "--host", "127.0.0.1",
                               "--port", str(SERVER_PORT), "--unsafe"], stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", SERVER_PORT)) == 0:
                    break
            assert server.poll() is None, (tmp_path / "run-server.log").read_text()
            time.sleep(0.2)
        launch = quote(json.dumps({"executablePath": SYSTEM_CHROMIUM}))
        yield f"ws://127.0.0.1:{SERVER_PORT}/?launch-options={launch}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server's own group: the Python wrapper and its Node driver
        server.wait(timeout=30)
        log.close()


def test_sites_run_in_a_remote_browser_server(fleet, browser_server, tmp_path):  # noqa: F811
    sandbox = fleet[0]
    sandbox.reset()
    inventory, env = write_inventory(tmp_path, fleet)
    # Were the client to launch a browser of its own, it would fail: this "Chromium" exits at once.
    env["PLAYWRIGHT_CHROMIUM_EXECUTABLE"] = shutil.which("false") or "/bin/false"

    result = run_fleet(tmp_path, env, "--inventory", str(inventory), "--limit", sandbox.name, "--check",
                       "--browser-endpoint", browser_server, "--report-json", "remote.json")

    assert result.code == 3, result.stderr  # a fresh site under --check: every step pending
    site = json.loads((tmp_path / "remote.json").read_text())["sites"][0]
    assert (site["site"], site["pending"], site["moodle_release"]) == (sandbox.name, 8, sandbox.release)


def test_an_unreachable_browser_server_fails_each_site_without_echoing_the_url(fleet, tmp_path):  # noqa: F811
    inventory, env = write_inventory(tmp_path, fleet)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    result = run_fleet(tmp_path, env, "--inventory", str(inventory), "--limit", fleet[0].name,
                       "--browser-endpoint", f"ws://127.0.0.1:{closed_port}/?token=grid-access-key-123")

    assert result.code == 1
    assert f"could not connect to the browser server at ws://127.0.0.1:{closed_port}" in result.stderr
    assert "grid-access-key-123" not in result.stderr
