"""Snapshots of a native sandbox: the site kept as it is now (a database in its cluster, a copy of
moodledata) under a label, and put back in seconds. Tests that start from a provisioned site use them
instead of provisioning again."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from provisioner.errors import SandboxError
from provisioner.sandbox.lock import locked
from provisioner.sandbox.native.postgres import Cluster
from provisioner.sandbox.paths import SandboxPaths

SNAPSHOT_PREFIX = "moodle_snapshot_"
SITE_DATABASE = "moodle"


class Snapshots:
    """Mixed into NativeEngine, whose _installed(), _start() and _site_cli() it uses."""

    def snapshot(self, name: str, label: str) -> None:
        """Keep the site as it is now (database and moodledata) under `label`, for restore(): tests
        that start from a provisioned site get there in seconds instead of a provisioning run each."""
        paths = SandboxPaths(name)
        with locked(paths):
            current = self._installed(name, paths)
            cluster = Cluster(paths, self._pg_bindir)
            database = _database(label)
            cluster.drop_database(database)
            # Copying needs no session on the source: between two requests Moodle holds none, so
            # ending a straggler is all it takes (php -S keeps running, its opcache warm).
            cluster.end_sessions(SITE_DATABASE)
            cluster.create_database(database, template=SITE_DATABASE)
            data = _data(paths, label)
            shutil.rmtree(data, ignore_errors=True)
            shutil.copytree(paths.moodledata, data, symlinks=True)
            self._start(current, paths)

    def restore(self, name: str, label: str) -> bool:
        """Back to the snapshot `label`; False, with nothing changed, when there is none."""
        paths = SandboxPaths(name)
        with locked(paths):
            current = self._installed(name, paths)
            cluster = Cluster(paths, self._pg_bindir)
            cluster.start()
            database, data = _database(label), _data(paths, label)
            if not (data.is_dir() and cluster.has_database(database)):
                return False
            cluster.drop_database(SITE_DATABASE)
            cluster.create_database(SITE_DATABASE, template=database)
            shutil.rmtree(paths.moodledata)
            shutil.copytree(data, paths.moodledata, symlinks=True)
            self._site_cli(paths).restore_config()
            self._start(current, paths)
            return True

    def drop_snapshots(self, name: str) -> None:
        """Forget every snapshot (a new test session, or a new template, must not find old ones)."""
        paths = SandboxPaths(name)
        with locked(paths):
            if not paths.root.is_dir():
                return
            self._drop_snapshots(paths)

    def _drop_snapshots(self, paths: SandboxPaths) -> None:
        for data in paths.root.glob(f"{paths.moodledata.name}.snapshot-*"):
            shutil.rmtree(data, ignore_errors=True)
        cluster = Cluster(paths, self._pg_bindir)
        if not cluster.running():
            return
        for database in cluster.databases(prefix=SNAPSHOT_PREFIX):
            cluster.drop_database(database)


def _database(label: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]{1,40}", label):
        raise SandboxError(f"snapshot label {label!r}: lower-case letters, digits and _ only")
    return SNAPSHOT_PREFIX + label


def _data(paths: SandboxPaths, label: str) -> Path:
    return paths.root / f"{paths.moodledata.name}.snapshot-{label}"
