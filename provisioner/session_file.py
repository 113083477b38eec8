"""Saved admin sessions: what `provisioner login` writes and `run --session-file` starts from.

The file holds the site's session cookies (Playwright's storage state): whoever has it is the admin
until the session expires or is logged out, as with the admin's password. It is written 0600 (in a
0700 folder by default) and read only when nobody else can read it, as ssh treats private keys.
"""
from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from provisioner.errors import HandoffError, PlaybookError, ProvisionerError
from provisioner.secrets import Secret
from provisioner.user_dirs import state_dir

FORMAT = "moodle-provisioner-session/1"
SIGN_IN_AGAIN = "sign in again with `provisioner login --site {site}`"


@dataclass(frozen=True)
class SavedSession:
    site_url: str
    admin_dir: str       # $CFG->admin as the site reported it after sign-in
    state: Secret        # Playwright storage state, JSON: cookies and local storage of the site only
    saved_at: str = ""   # ISO 8601, UTC

    def __repr__(self) -> str:
        return f"SavedSession({self.site_url!r}, saved_at={self.saved_at!r})"


def default_path(site_url: str) -> Path:
    """$XDG_STATE_HOME/moodle-provisioner/sessions/<host>[_<port>][_<path>].json: one file per site."""
    return state_dir() / "sessions" / f"{site_slug(site_url)}.json"


def site_slug(site_url: str) -> str:
    parts = urlsplit(site_url)
    pieces = [parts.hostname or "site", str(parts.port or ""), parts.path.strip("/")]
    return re.sub(r"[^a-z0-9.-]+", "_", "_".join(p for p in pieces if p).lower())


def prepare_folder(path: Path, *, create: bool) -> None:
    """Fail before a browser opens when the file cannot be written; the default folder is made 0700."""
    folder = path.parent
    if path.is_dir():
        raise PlaybookError(f"--session-file {path}: is a folder, not a file")
    if create and not folder.exists():
        try:
            folder.mkdir(mode=0o700, parents=True)
        except OSError as exc:
            raise PlaybookError(f"--session-file {path}: cannot create {folder}: {exc.strerror}") from None
    if not folder.is_dir():
        raise PlaybookError(f"--session-file {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PlaybookError(f"--session-file {path}: folder {folder} is not writable")


def write(path: Path, session: SavedSession) -> None:
    from provisioner.handoff.files import write_private  # created 0600, written whole, renamed into place

    document = {"format": FORMAT, "site_url": session.site_url, "admin_dir": session.admin_dir,
                "saved_at": session.saved_at or now(), "storage_state": json.loads(session.state.reveal())}
    try:
        write_private(path, json.dumps(document, indent=1) + "\n")
    except HandoffError as exc:
        raise ProvisionerError(f"the session could not be saved: {exc}") from None


def read(path: Path, site_url: str) -> SavedSession:
    """The session saved for `site_url`; anything else is bad input (exit 2), and never echoed."""
    where = f"--session-file {path}"
    again = SIGN_IN_AGAIN.format(site=site_url)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise PlaybookError(f"{where}: no such file: {again}") from None
    except OSError as exc:
        raise PlaybookError(f"{where}: {exc.strerror}") from None
    if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        raise PlaybookError(f"{where}: others can read it (mode {stat.S_IMODE(mode):04o}); it is as "
                            f"sensitive as a password: `chmod 600 {path}`, or {again}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise PlaybookError(f"{where}: not a session saved by `provisioner login`") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PlaybookError(f"{where}: not a session saved by `provisioner login`")
    state = document.get("storage_state")
    if not isinstance(state, dict) or not isinstance(state.get("cookies"), list):
        raise PlaybookError(f"{where}: the saved session is incomplete: {again}")
    if document.get("site_url") != site_url:
        raise PlaybookError(f"{where}: saved for {document.get('site_url')}, not {site_url}")
    for cookie in state["cookies"]:
        if isinstance(cookie, dict) and cookie.get("value"):
            Secret(str(cookie["value"]))  # registered: redact() scrubs it from anything shown
    admin_dir = str(document.get("admin_dir") or "admin")
    return SavedSession(site_url, admin_dir, Secret(json.dumps(state)), str(document.get("saved_at", "")))


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
