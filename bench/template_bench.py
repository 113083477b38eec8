"""How long a new sandbox takes when its release is kept as a template (a copy) against Moodle's
installer, per engine, for a fresh site and a school-sized one; with the CLI's own start-up, as a
person waits for it. A benchmark for people, not a timed test; run where the templates exist (a first
`sandbox up` of the release on that engine keeps them).

    python bench/template_bench.py --version 5.0 [--runs 3] [--engine native docker] [--install]

--install also times the installer (--no-template) once per engine, for the ratio; without it the
ratio is taken against --install-seconds (a figure measured before). Each copy is purged after.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

PROFILES = {"fresh": [], "school": ["--profile", "school", "--langpack", "es"]}


def up(name: str, port: int, engine: str, version: str, extra: list[str]) -> float:
    argv = [sys.executable, "-m", "provisioner", "sandbox", "up", "--name", name, "--port", str(port),
            "--engine", engine, "--moodle-version", version, "--pull", "never", *extra]
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr}")
    return seconds


def purge(name: str) -> None:
    subprocess.run([sys.executable, "-m", "provisioner", "sandbox", "down", "--name", name, "--purge"],
                   capture_output=True, check=True)
    # Deleting a sandbox (38k hard links, moodledata) leaves the file system busy for seconds: measured
    # here, the copy right after took 20 s instead of 11. Let it settle, so a copy is timed on its own.
    os.sync()
    time.sleep(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", default="5.0")
    parser.add_argument("--engine", nargs="+", default=["native", "docker"], choices=["native", "docker"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--install", action="store_true", help="also time the installer once per engine")
    parser.add_argument("--install-seconds", type=float, default=0, help="the installer's time, for the ratio")
    args = parser.parse_args()
    if "docker" in args.engine and not (os.environ.get("MOODLE_PHP_IMAGE") and os.environ.get("MOODLE_DB_IMAGE")):
        print("note: docker uses the compose file's images (MOODLE_PHP_IMAGE / MOODLE_DB_IMAGE unset)")

    print(f"Moodle {args.version}: seconds for `provisioner sandbox up` of a new sandbox, CLI start-up included")
    print(f"{'engine':<8}{'site':<8}{'how':<10}{'median':>8}{'min':>8}{'max':>8}{'install/copy':>14}")
    for engine in args.engine:
        name = f"tb-{engine[0]}"
        install = args.install_seconds
        if args.install:
            purge(name)
            install = up(name, args.port, engine, args.version, ["--no-template"])
            purge(name)
            print(f"{engine:<8}{'fresh':<8}{'install':<10}{install:>8.1f}")
        for site, extra in PROFILES.items():
            samples = []
            for _ in range(args.runs):
                purge(name)
                samples.append(up(name, args.port, engine, args.version, extra))
            purge(name)
            median = statistics.median(samples)
            ratio = f"{install / median:.1f}x" if install and site == "fresh" else ""
            print(f"{engine:<8}{site:<8}{'copy':<10}{median:>8.1f}{min(samples):>8.1f}{max(samples):>8.1f}{ratio:>14}")


if __name__ == "__main__":
    main()
