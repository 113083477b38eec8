"""The user's own folders for this tool, as the XDG base directory spec places them: state that should
outlive a run (saved sessions, site locks) and caches that can be rebuilt (Moodle sources, NSS databases)."""
from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """$XDG_STATE_HOME/moodle-provisioner (~/.local/state/moodle-provisioner)."""
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "moodle-provisioner"


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/moodle-provisioner (~/.cache/moodle-provisioner)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "moodle-provisioner"
