"""Failures on a real Moodle, PHP and PostgreSQL: Moodle's own message, and nothing left running."""
from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.native.engine import NativeEngine
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.native.postgres import Cluster
from provisioner.sandbox.process import port_is_free

# One worker under pytest-xdist (--dist loadgroup): these tests share sandboxes of fixed names.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("broken-sandboxes")]


@pytest.fixture
def own_home(monkeypatch):
    """A throwaway PROVISIONER_HOME: short (unix socket paths) and reachable by `postgres`."""
    home = Path(tempfile.mkdtemp(prefix="mp-", dir="/tmp"))
    home.chmod(0o755)
    monkeypatch.setenv("PROVISIONER_HOME", str(home))
    yield home
    NativeEngine().down("broken", purge=True)
    shutil.rmtree(home, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_failing_install_shows_moodles_message_and_stops_everything(own_home, monkeypatch):
    # Withhold the database Moodle expects: install.php then fails in its own words.
    create = Cluster.create_database
    monkeypatch.setattr(Cluster, "create_database", lambda self, name, template="template0":
                        None if name == "moodle" else create(self, name, template))
    port = free_port()
    with pytest.raises(SandboxError) as raised:
        NativeEngine().up(UpRequest(name="broken", port=port))
    message = str(raised.value)
    assert message.startswith("Moodle install failed: ")
    assert "could not connect to the database" in message  # Moodle's own sentence
    assert 'database "moodle" does not exist' in message and "install.log" in message
    assert not Cluster(SandboxPaths("broken")).running()
    assert port_is_free(port)
    assert NativeEngine().status("broken").state == "stopped"
