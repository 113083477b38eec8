"""Through the real CLI: status, down leaving nothing behind, up of an installed sandbox."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from provisioner.sandbox import state as state_mod
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.process import is_alive, port_is_free

pytestmark = pytest.mark.integration


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "provisioner", "sandbox", *args],
                          capture_output=True, text=True, timeout=600)


def test_down_leaves_no_process_and_no_port_then_up_brings_it_back(moodle_sandbox):
    name = moodle_sandbox.name
    status = json.loads(cli("status", "--name", name, "--json").stdout)
    assert status["state"] == "running" and status["url"] == moodle_sandbox.url
    before = state_mod.load(SandboxPaths(name).state_file)
    php_pid = before.pids["php"]
    postmaster_pid = int((SandboxPaths(name).pg_data / "postmaster.pid").read_text().split()[0])
    port = int(moodle_sandbox.url.rsplit(":", 1)[1])

    down = cli("down", "--name", name)
    assert down.returncode == 0, down.stderr
    assert not is_alive(php_pid) and not is_alive(postmaster_pid)
    assert port_is_free(port)
    assert json.loads(cli("status", "--name", name, "--json").stdout)["state"] == "stopped"

    up = cli("up", "--name", name)
    assert up.returncode == 0, up.stderr
    assert moodle_sandbox.url in up.stdout and "admin password: in " in up.stdout
    assert moodle_sandbox.admin_password.reveal() not in up.stdout + up.stderr
    assert json.loads(cli("status", "--name", name, "--json").stdout)["state"] == "running"


def test_up_with_another_port_for_an_installed_sandbox_is_refused(moodle_sandbox):
    refused = cli("up", "--name", moodle_sandbox.name, "--port", "8299")
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: ") and "installed for port" in refused.stderr
