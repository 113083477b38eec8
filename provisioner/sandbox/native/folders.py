"""A native sandbox's folder: one command at a time on it, what a failed install left wiped, and what
php -S serves."""
from __future__ import annotations

import fcntl
import shutil
from contextlib import contextmanager
from pathlib import Path

from provisioner.sandbox.native.postgres import Cluster
from provisioner.sandbox.paths import SandboxPaths


@contextmanager
def locked(paths: SandboxPaths):
    """One command at a time per sandbox (two terminals, or parallel test sessions)."""
    lock_file = paths.root.parent / f".{paths.name}.lock"
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def wipe_leftovers(paths: SandboxPaths, cluster: Cluster) -> None:
    """A failed earlier install leaves a half-made folder; start it over, keeping nothing."""
    if paths.root.exists():
        cluster.stop()
        shutil.rmtree(paths.root)


def document_root(webroot: Path, path: str, paths: SandboxPaths) -> Path:
    """What php -S serves: Moodle's web root itself, or, for a site under a sub-path, a folder where
    that sub-path is a link to it (the URLs the browser sees then start with the sub-path, as on a
    school's site at https://school.example/moodle)."""
    if not path:
        return webroot
    served = paths.root / "web"
    link = served / path.lstrip("/")
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink() or link.readlink() != webroot:
        link.unlink(missing_ok=True)
        link.symlink_to(webroot, target_is_directory=True)
    return served
