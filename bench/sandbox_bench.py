"""How long a sandbox takes: fresh install vs up-when-installed, reset and down; with
--profile school also applying the profile, and reset of the school site vs the plain one.
--engine docker times the docker engine the same way (images from --php-image/--db-image or
MOODLE_PHP_IMAGE/MOODLE_DB_IMAGE, never pulled), so the two engines can be compared. The install is
Moodle's installer even where the release is kept as a template (template_bench.py times copies).

A benchmark for people, not a timed test. It uses its own sandbox (default "bench" on port 8241)
and purges it at the end unless --keep is given.

    python bench/sandbox_bench.py --moodle-src /path/to/moodle-5.0.tgz [--runs 3] [--profile school]
    python bench/sandbox_bench.py --engine docker --name dkb --port 8391 \
      --php-image moodle-provisioner/php-apache:8.2 --db-image moodle-provisioner/postgres:15
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from provisioner.sandbox.model import Engine, UpRequest
from provisioner.sandbox.source import resolve_source
from provisioner.sandbox.engine import choose_engine

TARGETS = {"up (installed)": 15.0, "reset": 10.0, "reset right after reset": 10.0}  # issue 2


def timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def repeat(engine: Engine, args, samples: dict[str, list[float]], label: str) -> None:
    for run in range(args.runs):
        samples.setdefault(f"down{label}", []).append(timed(lambda: engine.down(args.name)))
        samples.setdefault(f"up (installed){label}", []).append(timed(lambda: engine.up(UpRequest(name=args.name))))
        samples.setdefault(f"reset{label}", []).append(timed(lambda: engine.reset(args.name)))
        # a second reset at once finds its spare database still being copied, and waits for it
        samples.setdefault(f"reset right after reset{label}", []).append(timed(lambda: engine.reset(args.name)))
        print(f"run {run + 1}/{args.runs}{label} done", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moodle-src", type=Path, help="Moodle tree or archive (else MOODLE_SRC or the cache)")
    parser.add_argument("--name", default="bench")
    parser.add_argument("--port", type=int, default=8241)
    parser.add_argument("--runs", type=int, default=3, help="repetitions of down/up/reset")
    parser.add_argument("--keep", action="store_true", help="leave the bench sandbox installed")
    parser.add_argument("--profile", choices=["school"], help="then apply it and time the same steps again")
    parser.add_argument("--langpack", action="append", default=[], help="with --profile: a pack's folder or code")
    parser.add_argument("--engine", choices=["native", "docker"], default="native")
    parser.add_argument("--php-image", default=os.environ.get("MOODLE_PHP_IMAGE"), help="docker engine")
    parser.add_argument("--db-image", default=os.environ.get("MOODLE_DB_IMAGE"), help="docker engine")
    args = parser.parse_args()

    engine = choose_engine(args.engine)
    # fresh_install: the installer itself, not a copy of a kept template (template_bench.py times those)
    request = UpRequest(name=args.name, port=args.port, source=args.moodle_src, php_image=args.php_image,
                        db_image=args.db_image, pull="never", fresh_install=True)
    engine.down(args.name, purge=True)
    samples: dict[str, list[float]] = {}
    samples["cache source"] = [timed(lambda: resolve_source(request))]  # ~0 once cached
    samples["fresh install (up)"] = [timed(lambda: engine.up(request))]
    release = engine.status(args.name).release
    repeat(engine, args, samples, "")
    if args.profile:
        profiled = UpRequest(name=args.name, profile=args.profile, langpacks=tuple(args.langpack))
        samples[f"apply {args.profile} profile"] = [timed(lambda: engine.up(profiled))]
        repeat(engine, args, samples, f" ({args.profile})")
    if not args.keep:
        engine.down(args.name, purge=True)

    fresh = samples["fresh install (up)"][0]
    print(f"\nMoodle {release}, {args.engine} engine, {args.runs} run(s); ratio = fresh install / step")
    print(f"{'step':<36}{'median s':>10}{'min s':>9}{'max s':>9}{'ratio':>9}  target")
    for step, values in samples.items():
        median = statistics.median(values)
        target = TARGETS.get(step.split(" (school)")[0])
        verdict = "" if target is None else f"<= {target:.0f} s {'met' if max(values) <= target else 'MISSED'}"
        fixed = step in ("cache source", "fresh install (up)") or step.startswith("apply")
        ratio = f"{fresh / median:.0f}x" if not fixed and median else ""
        print(f"{step:<36}{median:>10.1f}{min(values):>9.1f}{max(values):>9.1f}{ratio:>9}  {verdict}")


if __name__ == "__main__":
    main()
