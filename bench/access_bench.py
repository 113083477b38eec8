"""What role mode costs next to site-admin mode, and how long a rotation takes, on one sandbox.

A benchmark for people, not a timed test. For each mode it resets the sandbox to freshly installed and runs
the Enrollait playbook in-process twice (a fresh run, then a no-op re-run); then, on the role-mode site, it runs
`provisioner rotate` (a subprocess, as a person would: its ~1-2 s of start-up included). Prints seconds, page
loads and each figure as a ratio of the site-admin fresh run.

    python bench/access_bench.py --name rl-50 [--runs 1]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from provisioner import app
from provisioner.playbook import load_playbook
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.engine import engine_for

PLAYBOOK = Path(__file__).resolve().parents[1] / "playbooks" / "enrollait.yml"


def provision(up, mode: str) -> tuple[float, int]:
    options = app.RunOptions(site_url=up.url, admin_user=up.admin_user, admin_password=up.admin_password,
                             artifacts_dir=Path("/tmp/access-bench-artifacts"))
    started = time.monotonic()
    outcome = app.provision(load_playbook(PLAYBOOK, {"access": mode}), options)
    if outcome.report.outcome != "converged":
        sys.exit(f"{mode}: outcome {outcome.report.outcome}")
    return time.monotonic() - started, outcome.report.page_loads


def rotate(name: str) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "provisioner", "rotate", str(PLAYBOOK), "--sandbox", name,
                               "--var", "access=role", "--json", "--token-out", f"{folder}/t.json",
                               "--artifacts-dir", folder], capture_output=True, text=True,
                              env={k: v for k, v in os.environ.items() if k != "MOODLE_TOKEN"})
        seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"rotate failed: {done.stderr}")
    return seconds, json.loads(done.stdout)["page_loads"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="bench", help="an installed sandbox (brought up if stopped)")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    engine = engine_for(args.name)
    up = engine.up(UpRequest(name=args.name))
    rows: dict[str, list[tuple[float, int]]] = {}
    for _ in range(args.runs):
        for mode in ("site_admin", "role"):
            engine.reset(args.name)
            rows.setdefault(f"{mode} fresh", []).append(provision(up, mode))
            rows.setdefault(f"{mode} no-op", []).append(provision(up, mode))
        rows.setdefault("rotate (role)", []).append(rotate(args.name))

    base = statistics.median(s for s, _ in rows["site_admin fresh"])
    print(f"Moodle {up.release}, {args.runs} run(s), median seconds (page loads)")
    print(f"{'what':<18}{'seconds':>9}{'loads':>7}{'/admin fresh':>14}")
    for label, samples in rows.items():
        seconds = statistics.median(s for s, _ in samples)
        print(f"{label:<18}{seconds:>9.1f}{max(n for _, n in samples):>7}{seconds / base:>14.2f}")


if __name__ == "__main__":
    main()
