"""How long the main job takes on a sandbox site: a fresh provisioning, then a no-op re-run.

A benchmark for people, not a timed test. It brings up (or reuses) a sandbox, resets it to
freshly installed, and runs the Enrollait playbook in-process twice, printing seconds and page loads.
The machine's noise moves absolute seconds a lot; the no-op/fresh ratio is steadier.

    python bench/provision_bench.py [--name lead] [--runs 2]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from provisioner import app
from provisioner.playbook import load_playbook
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.engine import engine_for

PLAYBOOK = Path(__file__).resolve().parents[1] / "playbooks" / "enrollait.yml"
TARGETS = {"fresh run": 40.0, "no-op re-run": 15.0}  # seconds, from issue 3


def provision_once(url: str, up, check: bool = False) -> tuple[float, int, str]:
    options = app.RunOptions(site_url=url, admin_user=up.admin_user, admin_password=up.admin_password,
                             check=check, artifacts_dir=Path("/tmp/provision-bench-artifacts"))
    started = time.monotonic()
    outcome = app.provision(load_playbook(PLAYBOOK), options)
    return time.monotonic() - started, outcome.report.page_loads, outcome.report.outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="bench", help="sandbox to use (brought up if needed)")
    parser.add_argument("--port", type=int, default=8241, help="its port, the first time it is brought up")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    engine = engine_for(args.name)
    installed = engine.status(args.name).installed
    up = engine.up(UpRequest(name=args.name, port=None if installed else args.port))
    rows: dict[str, list[tuple[float, int]]] = {"reset": [], "check on fresh": [], "fresh run": [],
                                                 "no-op re-run": []}
    for _ in range(args.runs):
        started = time.monotonic()
        engine.reset(args.name)
        rows["reset"].append((time.monotonic() - started, 0))
        for label, check in (("check on fresh", True), ("fresh run", False), ("no-op re-run", False)):
            seconds, loads, outcome = provision_once(up.url, up, check)
            expected = "pending" if check else "converged"
            if outcome != expected:
                sys.exit(f"{label}: outcome {outcome}, expected {expected}")
            rows[label].append((seconds, loads))

    fresh = statistics.median(s for s, _ in rows["fresh run"])
    print(f"Moodle {up.release}, {args.runs} run(s), median seconds (page loads)")
    print(f"{'what':<16}{'seconds':>9}{'loads':>7}{'target':>8}{'/fresh':>8}")
    for label, samples in rows.items():
        seconds = statistics.median(s for s, _ in samples)
        loads = max(n for _, n in samples)
        target = f"{TARGETS[label]:.0f}" if label in TARGETS else "-"
        print(f"{label:<16}{seconds:>9.1f}{loads:>7}{target:>8}{seconds / fresh:>8.2f}")


if __name__ == "__main__":
    main()
