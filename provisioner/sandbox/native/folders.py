"""A native sandbox's folder: what a failed install left wiped, and what php -S serves."""
from __future__ import annotations

import shutil
from pathlib import Path

from provisioner.sandbox.native.postgres import Cluster
from provisioner.sandbox.paths import SandboxPaths


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
