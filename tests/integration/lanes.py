"""Which integration tests share a pytest-xdist worker when the suite runs with `-n 2 --dist loadgroup`
(as .ci/run does).

A worker pays twice for each Moodle version it touches: a copy of the version's sandbox (made from its
template, 10-20 s) and a first converge through the admin UI (about 30 s; later tests restore its
snapshot, but the snapshots belong to one process). Spread test by test, both workers touch all four
versions. Grouped by version, each pays for the versions it runs. The default version carries half the
suite, so its files are dealt into two lanes that the two workers can share.

Tests that name an xdist_group of their own keep it: they share sandboxes or ports with their group.
The sample of what a QA suite gets (one site per worker) is left to spread as a QA suite's tests do.
"""
from __future__ import annotations

DEFAULT_VERSION_LANES = 2
SPREAD = ("test_worker_sandboxes.py",)  # shows each worker on a site of its own: only resets, cheap anywhere


def assign(items) -> dict[object, str]:
    """The lane (an xdist_group name) of each item that gets one."""
    targets = {item: _target(item) for item in items
               if not item.get_closest_marker("xdist_group") and item.path.name not in SPREAD}
    default_files = sorted({str(item.path) for item, target in targets.items() if target and target.full})
    lanes = {}
    for item, target in targets.items():
        if target is None:
            continue
        if target.full:
            lanes[item] = f"moodle-{target.version}-{default_files.index(str(item.path)) % DEFAULT_VERSION_LANES}"
        else:
            lanes[item] = f"moodle-{target.version}"
    return lanes


def _target(item):
    spec = getattr(item, "callspec", None)
    return spec.params.get("moodle_target") if spec else None
