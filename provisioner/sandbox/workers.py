"""pytest-xdist workers: each gets its own copy of a test sandbox (`pytest-50-gw1`), on a port of its own.

A copy is made from the sandbox's kept template (templates.py) in seconds, used by that worker alone,
and purged when the worker's session ends.
"""
from __future__ import annotations

import os
import re

from provisioner.errors import SandboxError
from provisioner.sandbox import state as state_mod
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.process import port_is_free

WORKER_ENV = "PYTEST_XDIST_WORKER"  # set by pytest-xdist in each worker: "gw0", "gw1", ...
# worker n of the sandbox on port P looks from P + 1000 * (n + 1): clear of the fixed test ports (81xx-85xx)
PORT_STRIDE = 1000
PORT_TRIES = 50


def current() -> str | None:
    worker = os.environ.get(WORKER_ENV, "")
    return worker if re.fullmatch(r"gw\d+", worker) else None


def sandbox_name(base: str, worker: str) -> str:
    return f"{base}-{worker}"


def port_for(base_port: int, worker: str, name: str) -> int:
    """The port a worker's copy keeps where it exists, else the first free one from a start that no
    other worker or version shares (versions' ports differ by less than the stride)."""
    installed = state_mod.load(SandboxPaths(name).state_file)
    if installed and installed.installed:
        return installed.port
    start = base_port + PORT_STRIDE * (int(worker[2:]) + 1)
    for port in range(start, start + PORT_TRIES):
        if port_is_free(port):
            return port
    raise SandboxError(f"no free port in {start}-{start + PORT_TRIES - 1} for sandbox '{name}'")
