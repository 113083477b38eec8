"""The private cluster against the real PostgreSQL binaries (skipped where they are absent)."""
import glob
import shutil
import tempfile
from pathlib import Path

import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.native.postgres import Cluster

pytestmark = pytest.mark.skipif(not (shutil.which("pg_ctl") or glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")),
                                reason="PostgreSQL not installed")


@pytest.fixture
def cluster(monkeypatch):
    # short and reachable by the postgres user when root: not under pytest's tmp_path
    home = Path(tempfile.mkdtemp(prefix="mp-", dir="/tmp"))
    home.chmod(0o755)
    (home / "sandboxes" / "pgtest").mkdir(parents=True)
    (home / "sandboxes").chmod(0o755)
    monkeypatch.setenv("PROVISIONER_HOME", str(home))
    made = Cluster(SandboxPaths("pgtest"))
    yield made
    made.stop()
    shutil.rmtree(home)


def test_a_cluster_that_cannot_start_shows_its_log(cluster):
    cluster.init()
    with (cluster.paths.pg_data / "postgresql.conf").open("a") as conf:
        conf.write("shared_buffers = 'plenty'\n")
    with pytest.raises(SandboxError) as raised:
        cluster.start()
    assert "PostgreSQL start failed" in str(raised.value)
    assert "shared_buffers" in str(raised.value)  # PostgreSQL's own complaint, from its log
    assert not cluster.running()


def test_a_cluster_listens_on_its_socket_only_and_stops(cluster):
    cluster.init()
    cluster.start()
    assert cluster.psql("SHOW listen_addresses").strip() == ""
    cluster.create_database("moodle")
    assert cluster.psql("SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'moodle'").strip() == "UTF8"
    cluster.stop()
    assert not cluster.running()
