"""Where sandboxes and the Moodle source cache live on disk.

State goes under /var/lib when running as root because /root is 0700 and the private PostgreSQL
cluster runs as the `postgres` system user, which must be able to reach its own folder.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from provisioner.errors import SandboxError
from provisioner.user_dirs import cache_dir

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def is_root() -> bool:
    return os.geteuid() == 0


def state_home() -> Path:
    if os.environ.get("PROVISIONER_HOME"):
        return Path(os.environ["PROVISIONER_HOME"])
    if is_root():
        return Path("/var/lib/moodle-provisioner")
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "moodle-provisioner"


def cache_home() -> Path:
    return cache_dir()


def check_name(name: str) -> str:
    """Sandbox names become folder, database and container names, so keep them plain."""
    if not _NAME.match(name):
        raise SandboxError(
            f"bad sandbox name {name!r}: use 1-40 lowercase letters, digits, '-' or '_'",
        )
    return name


class SandboxPaths:
    """The folder layout of one sandbox; nothing here touches the disk."""

    def __init__(self, name: str, home: Path | None = None):
        self.name = check_name(name)
        self.root = (home or state_home()) / "sandboxes" / name

    state_file = property(lambda self: self.root / "state.json")
    code = property(lambda self: self.root / "code")
    moodledata = property(lambda self: self.root / "moodledata")
    moodledata_template = property(lambda self: self.root / "moodledata.template")
    pg = property(lambda self: self.root / "pg")  # owned by the cluster's user
    pg_data = property(lambda self: self.root / "pg" / "data")
    pg_socket_dir = property(lambda self: self.root / "pg" / "run")
    pg_log = property(lambda self: self.root / "pg" / "postgres.log")
    logs = property(lambda self: self.root / "logs")
    php_log = property(lambda self: self.root / "logs" / "php.log")
    install_log = property(lambda self: self.root / "logs" / "install.log")
    profile_log = property(lambda self: self.root / "logs" / "profile.log")  # the PHP the sandbox ran
    profile_file = property(lambda self: self.root / "profile.json")  # profile and languages
    config_template = property(lambda self: self.root / "config.php.template")  # as installed; reset restores it
