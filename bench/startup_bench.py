"""The constant costs of a command: start-up, and a no-op run against its plain-HTTP floor, near and far.

In one run, on one sandbox (provisioned first, so that a run changes nothing), it measures the wall time of:
- `provisioner --version` and `provisioner run` with bad input (exit 2): start-up alone;
- the no-op floor (http_floor.py: login and the pages a no-op run reads, httpx, in this process) and the
  real no-op run (`python -m provisioner run ...`, process start included), first straight to the site,
  then through latency_proxy.py adding a round trip of --rtt-ms to every request (both told to use it).
Targets (issue 19): no-op ≤ 2× its floor on a fast site, ≤ 1.5× at 100 ms round trip. Medians of --runs.

    python bench/startup_bench.py --name fb-50 --runs 3 --rtt-ms 100
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_floor import noop_floor  # noqa: E402
from latency_proxy import start_in_background  # noqa: E402

from provisioner.sandbox.engine import engine_for  # noqa: E402
from provisioner.sandbox.model import UpRequest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PLAYBOOK = str(ROOT / "playbooks" / "enrollait.yml")


def timed(argv: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "provisioner", *argv], env=env, cwd=ROOT, capture_output=True,
                          text=True)
    return time.monotonic() - started, done


def no_op_run(url: str, env: dict, *extra: str) -> float:
    seconds, done = timed(["run", PLAYBOOK, "--site", url, "--json", "--artifacts-dir", "/tmp/startup-bench",
                           *extra], env)
    report = json.loads(done.stdout or "{}")
    if {s["status"] for s in report.get("steps", [])} != {"unchanged"}:
        sys.exit(f"not a no-op run: {done.stderr[-500:]}")
    return seconds


def floor(url: str, user: str, password: str, proxy: str | None) -> float:
    saved = {k: os.environ.get(k) for k in ("HTTP_PROXY", "NO_PROXY")}
    if proxy:  # httpx (the floor's client) takes the proxy from the environment
        os.environ.update(HTTP_PROXY=proxy, NO_PROXY="")
    try:
        started = time.monotonic()
        noop_floor(url, user, password)
        return time.monotonic() - started
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", required=True, help="an installed sandbox (provisioned here once)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rtt-ms", type=float, default=100.0)
    parser.add_argument("--proxy-port", type=int, default=8890)
    args = parser.parse_args()

    up = engine_for(args.name).up(UpRequest(name=args.name))
    password = up.admin_password.reveal()
    env = dict(os.environ, MOODLE_ADMIN_PASSWORD=password, MOODLE_ADMIN_USER=up.admin_user)
    env.setdefault("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(key, None)
    timed(["run", PLAYBOOK, "--site", up.url, "--artifacts-dir", "/tmp/startup-bench"], env)  # converge once
    proxy = start_in_background(args.proxy_port, args.rtt_ms)

    rows: dict[str, list[float]] = {k: [] for k in (
        "--version", "bad input (exit 2)", "no-op floor", "no-op run", "no-op floor, far", "no-op run, far")}
    for _ in range(args.runs):
        rows["--version"].append(timed(["--version"], env)[0])
        rows["bad input (exit 2)"].append(timed(["run", PLAYBOOK, "--site", "ftp://x"], env)[0])
        rows["no-op floor"].append(floor(up.url, up.admin_user, password, None))
        rows["no-op run"].append(no_op_run(up.url, env))
        rows["no-op floor, far"].append(floor(up.url, up.admin_user, password, proxy))
        rows["no-op run, far"].append(no_op_run(up.url, env, "--proxy", proxy))

    median = {k: statistics.median(v) for k, v in rows.items()}
    print(f"Moodle {up.release} at {up.url}, {args.runs} run(s), median wall seconds; load "
          f"{os.getloadavg()[0]:.1f}; 'far': through a proxy adding {args.rtt_ms:g} ms per round trip")
    for label, seconds in median.items():
        print(f"{label:<22}{seconds:>8.2f}")
    near = median["no-op run"] / median["no-op floor"]
    far = median["no-op run, far"] / median["no-op floor, far"]
    print(f"no-op / floor: {near:.2f}× (target ≤ 2), at {args.rtt_ms:g} ms: {far:.2f}× (target ≤ 1.5)")


if __name__ == "__main__":
    main()
