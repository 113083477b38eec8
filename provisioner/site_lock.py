"""One run at a time changes a site, on this machine: two terminals, or a CI job retried while the first
still runs, would otherwise both create the user, the service or the token between their reads.

The lock is a file per site under $XDG_STATE_HOME/moodle-provisioner/locks, held with flock(2): the
kernel lets it go when the holder ends, however it ends, so no stale lock is left behind. The second run
waits for the first (saying so), then reads the site afresh and finds the work done. Across machines there
is no lock: each step re-reads after its change, which keeps one user and one token.
"""
from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from provisioner.errors import ProvisionerError
from provisioner.session_file import site_slug
from provisioner.user_dirs import state_dir

POLL_S = 0.5


def lock_path(site_url: str) -> Path:
    return state_dir() / "locks" / f"{site_slug(site_url)}.lock"


@contextmanager
def holding(site_url: str, wait_s: float, on_wait: Callable[[str], None] = lambda line: None) -> Iterator[None]:
    """Hold the site's lock for the block, waiting up to `wait_s` seconds for another run to end."""
    path = lock_path(site_url)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait_s
        said = False
        while not _try_lock(handle):
            holder = _holder(path)
            if time.monotonic() >= deadline:
                raise ProvisionerError(f"another run is changing {site_url} on this machine ({holder}): it was "
                                       f"not done within {wait_s:g} s; try again when it ends (--lock-wait "
                                       "SECONDS to wait longer)")
            if not said:
                on_wait(f"another run is changing this site ({holder}): waiting for it (up to {wait_s:g} s)")
                said = True
            time.sleep(POLL_S)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"pid": os.getpid(), "since": datetime.now(timezone.utc).isoformat(
                timespec="seconds")}))
            handle.flush()
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _try_lock(handle) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _holder(path: Path) -> str:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        data = {}
    if not data:
        return "just started"
    return f"process {data.get('pid', '?')}, since {data.get('since', '?')}"
