"""One command at a time per sandbox, whatever its engine: two terminals, or parallel test sessions,
bringing up or resetting the same sandbox would otherwise half-make it."""
from __future__ import annotations

import fcntl
from contextlib import contextmanager

from provisioner.sandbox.paths import SandboxPaths


@contextmanager
def locked(paths: SandboxPaths):
    """Held while the block runs; not re-entrant (flock on a second open file waits for the first), so
    an engine takes it in its public commands only."""
    lock_file = paths.root.parent / f".{paths.name}.lock"
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
