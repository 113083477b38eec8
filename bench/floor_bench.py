"""How far the whole `provisioner run` command is from what the admin UI itself costs (issue 13).

In one run, on one sandbox (reset to freshly installed where a flow needs it), it measures:
- the floors, with a plain HTTP client (http_floor.py): login plus the pages a no-op run reads; and login plus
  the reads and form posts of a fresh run;
- the real command as a user runs it (`python -m provisioner run playbooks/enrollait.yml --site URL`, the admin
  password in the environment), process start included, from outside (proctree.py): `--check` on a fresh site,
  a fresh run, and a no-op re-run; with the client's own CPU seconds (Python, the Playwright driver and
  Chromium: every process of the command's tree, not the Moodle server).
After each reset, Moodle's own caches are warmed (the login page's stylesheets and scripts fetched once, as the
first visitor of a real site did long ago): a reset leaves them purged, and the first page a browser renders
would otherwise compile the theme's SCSS and the JavaScript bundles, which the floor never asks for.
It prints each as a ratio to its floor. Targets: no-op ≤ 3× its floor, fresh ≤ 3× its floor, check ≤ 3× the
no-op floor, client CPU ≤ 3 s per no-op run. Medians over --runs; ratios are of the medians.

    python bench/floor_bench.py --name lg-50 --runs 3
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_floor import fresh_floor, noop_floor  # noqa: E402
from proctree import measure  # noqa: E402

from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.engine import engine_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"no-op run": ("no-op floor", 3.0), "fresh run": ("fresh floor", 3.0), "check on fresh": ("no-op floor", 3.0)}
CPU_TARGET = 3.0


def warm_caches(url: str) -> float:
    """Fetch the stylesheets and scripts the login page links to, so Moodle builds and caches them."""
    import httpx

    started = time.monotonic()
    with httpx.Client(timeout=300, follow_redirects=True) as client:
        page = client.get(f"{url}/login/index.php").text
        for asset in sorted(set(re.findall(r'(?:href|src)="(' + re.escape(url) + r'/[^"]+\.php/[^"]+)"', page))):
            client.get(asset.replace("&amp;", "&"))
    return time.monotonic() - started


def run_command(up, *extra: str) -> tuple[float, float, dict]:
    env = dict(os.environ, MOODLE_ADMIN_PASSWORD=up.admin_password.reveal())
    env.setdefault("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
    with tempfile.TemporaryFile() as out:
        cost = measure([sys.executable, "-m", "provisioner", "run", str(ROOT / "playbooks" / "enrollait.yml"),
                        "--site", up.url, "--admin-user", up.admin_user, "--var", "email=x@example.com",
                        "--json", "--artifacts-dir", "/tmp/floor-bench-artifacts", *extra],
                       env=env, stdout=out, stderr=open(os.devnull, "w"), cwd=ROOT)
        out.seek(0)
        report = json.loads(out.read() or b"{}")
    return cost.seconds, cost.cpu_s, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", required=True, help="an installed sandbox; it is reset")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    engine = engine_for(args.name)
    up = engine.up(UpRequest(name=args.name))
    password = up.admin_password.reveal()
    rows: dict[str, list[tuple[float, float | None, int]]] = {
        k: [] for k in ("no-op floor", "fresh floor", "check on fresh", "fresh run", "no-op run")}
    warmed = []
    for _ in range(args.runs):
        engine.reset(args.name)
        warmed.append(warm_caches(up.url))
        for label, flow in (("fresh floor", fresh_floor), ("no-op floor", noop_floor)):
            started = time.monotonic()
            requests = flow(up.url, up.admin_user, password)
            rows[label].append((time.monotonic() - started, None, requests))
        engine.reset(args.name)
        warmed.append(warm_caches(up.url))
        for label, extra, expected in (("check on fresh", ("--check",), "pending"),
                                       ("fresh run", (), "converged"), ("no-op run", (), "converged")):
            seconds, cpu, report = run_command(up, *extra)
            if report.get("outcome") != expected:
                sys.exit(f"{label}: outcome {report.get('outcome')}, expected {expected}")
            rows[label].append((seconds, cpu, report.get("page_loads", 0)))

    median = {k: statistics.median(s for s, _, _ in v) for k, v in rows.items()}
    print(f"Moodle {up.release}, {args.runs} run(s), median wall seconds; load {os.getloadavg()[0]:.1f}; "
          f"caches warmed after each reset in {statistics.median(warmed):.1f} s (not counted)")
    print(f"{'what':<16}{'seconds':>9}{'CPU s':>8}{'loads':>7}{'ratio':>8}{'target':>8}")
    for label, samples in rows.items():
        cpus = [c for _, c, _ in samples if c is not None]
        cpu = f"{statistics.median(cpus):.1f}" if cpus else "-"
        count = max(n for _, _, n in samples)
        floor, target = TARGETS.get(label, (None, None))
        ratio = f"{median[label] / median[floor]:.2f}" if floor else "-"
        print(f"{label:<16}{median[label]:>9.2f}{cpu:>8}{count:>7}{ratio:>8}{target or '-':>8}")
    noop_cpu = statistics.median(c for _, c, _ in rows["no-op run"])
    print(f"client CPU per no-op run: {noop_cpu:.1f} s (target ≤ {CPU_TARGET:.0f} s); "
          "floors' 'loads' are HTTP requests, runs' are browser page loads")


if __name__ == "__main__":
    main()
