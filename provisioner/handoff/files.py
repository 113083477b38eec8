"""Hand-off files: JSON or .env, private from the first byte and never half-written.

The temporary file is created by mkstemp (mode 0600, O_EXCL) in the target's own directory, so that
os.replace() is a rename on one filesystem: readers see the old file or the new one, never a mix, and
the token is never readable by others, not even for a moment.
"""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import suppress
from pathlib import Path

from provisioner.errors import HandoffError
from provisioner.handoff.connection import Connection
from provisioner.secrets import redact

PRIVATE_MODE = 0o600


def is_env_path(path: Path) -> bool:
    return path.name == ".env" or path.name.endswith(".env")


def render_json(connection: Connection) -> str:
    return json.dumps(connection.payload(), indent=2, sort_keys=True) + "\n"


def _env_quote(value: object) -> str:
    text = "" if value is None else str(value)
    for plain, escaped in (("\\", "\\\\"), ('"', '\\"'), ("$", "\\$"), ("`", "\\`"), ("\n", "\\n")):
        text = text.replace(plain, escaped)
    return f'"{text}"'


def render_env(connection: Connection) -> str:
    """MOODLE_SITE_URL and MOODLE_TOKEN are the names `provisioner verify` reads from the environment."""
    info = connection.site_info
    values = {
        "MOODLE_SITE_URL": connection.site_url,
        "MOODLE_TOKEN": connection.token.reveal(),
        "MOODLE_SITE_NAME": info.get("sitename"),
        "MOODLE_RELEASE": info.get("release"),
        "MOODLE_USERNAME": info.get("username"),
        "MOODLE_VERIFIED_AT": connection.verification.get("checked_at"),
    }
    lines = ["# Moodle connection for Enrollait, written by provisioner. Private: keep mode 0600."]
    lines += [f"{name}={_env_quote(value)}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


def write_private(path: Path, text: str) -> None:
    directory = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise HandoffError(redact(f"cannot write {path}: {exc.strerror or exc}")) from None
    try:
        os.fchmod(fd, PRIVATE_MODE)  # mkstemp's default already; stated so no umask or change widens it
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(tmp)
        raise HandoffError(redact(f"cannot write {path}: {exc.strerror or exc}")) from None
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; some filesystems refuse to open a directory, which is fine."""
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_connection(path: Path, connection: Connection) -> str:
    env = is_env_path(path)
    write_private(path, render_env(connection) if env else render_json(connection))
    return f"file {path} ({'.env' if env else 'JSON'}, mode 0600)"
