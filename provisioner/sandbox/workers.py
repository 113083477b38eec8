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

GROUPS_LOST = ("pytest-xdist's --dist loadgroup did not keep this test's xdist_group on one worker: under pytest "
               "9.2 its group is silently dropped (pytest-dev/pytest-xdist#1386), and tests of a group, marked so "
               "because they share a sandbox, would run on several workers at once. Use pytest<9.2 (this "
               "project's [test] extra pins it) or run without -n")
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


def groups_lost(config, items) -> list:
    """The items whose xdist_group pytest-xdist failed to apply in this worker. Under --dist loadgroup it
    appends "@group" to a grouped test's id, which its scheduler reads; an id without it is sent on
    its own, to any worker. Called after pytest-xdist's own collection hook."""
    if not current() or not getattr(config.option, "loadgroup", False):
        return []
    return [item for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
