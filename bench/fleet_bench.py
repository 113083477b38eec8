"""How many sites can one machine drive? `run --inventory` on 1, 2 and 3 sandbox sites at --parallel 1/2/3.

A benchmark for people, not a timed test. For each row it resets the sandboxes to freshly installed,
writes an inventory of them (passwords in 0600 files), and runs the real CLI (`python -m provisioner run
--inventory`), measured from outside (bench/proctree.py): wall time, the client's own CPU (Python, the
Playwright drivers, Chromium: not the Moodle servers) and its peak memory (PSS). It prints sites per
minute, CPU seconds per site and peak MB per concurrent site: the figures that say how many remote sites
one machine can drive. Here the Moodle sites run on the same machine, so sites/min is a floor.

    python bench/fleet_bench.py --sites fl-50,fl-45,fl-41 [--rows 1x1,2x2,3x3,3x1] [--noop]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proctree import measure  # noqa: E402

from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.engine import engine_for  # noqa: E402

PLAYBOOK = Path(__file__).resolve().parents[1] / "playbooks" / "enrollait.yml"


def write_inventory(folder: Path, sandboxes) -> Path:
    lines = ["sites:"]
    for sandbox in sandboxes:
        secret = folder / f"{sandbox.name}.password"
        secret.touch(mode=0o600)
        secret.write_text(sandbox.admin_password.reveal())
        lines += [f"  {sandbox.name}:", f"    url: {sandbox.url}", f"    admin_user: {sandbox.admin_user}",
                  f"    admin_password: {{file: {secret}}}"]
    inventory = folder / "inventory.yml"
    inventory.write_text("\n".join(lines) + "\n")
    return inventory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", default="fl-50,fl-45,fl-41", help="installed sandboxes (brought up if stopped)")
    parser.add_argument("--rows", default="1x1,2x2,3x3,3x1", help="SITESxPARALLEL, comma-separated")
    parser.add_argument("--noop", action="store_true", help="measure no-op re-runs instead of fresh provisioning")
    args = parser.parse_args()

    names = args.sites.split(",")
    engines = {name: engine_for(name) for name in names}
    sandboxes = [engines[name].up(UpRequest(name=name)) for name in names]
    rows = [tuple(int(x) for x in row.split("x")) for row in args.rows.split(",")]
    kind = "no-op re-run" if args.noop else "fresh provisioning"
    print(f"{kind}; sites: " + ", ".join(f"{s.name} ({s.release.split(' (')[0]})" for s in sandboxes))
    print(f"{'sites':>5}{'parallel':>9}{'wall s':>8}{'sites/min':>10}{'CPU s/site':>11}{'peak MB':>9}"
          f"{'MB/concurrent':>14}  outcome")
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as scratch:
        folder = Path(scratch)
        for count, parallel in rows:
            chosen = sandboxes[:count]
            for sandbox in chosen:
                engines[sandbox.name].reset(sandbox.name)
            inventory = write_inventory(folder, chosen)
            command = [sys.executable, "-m", "provisioner", "run", str(PLAYBOOK), "--inventory", str(inventory),
                       "--parallel", str(parallel), "--report-json", str(folder / "report.json"),
                       "--token-out", str(folder / "{site}.token.json"), "--artifacts-dir", str(folder / "shots")]
            if args.noop:  # a first run to converge, unmeasured
                subprocess.run(command, capture_output=True, check=False)
            env = {k: v for k, v in os.environ.items() if k != "MOODLE_TOKEN"}
            cost = measure(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            report = json.loads((folder / "report.json").read_text())
            outcome = ", ".join(f"{n} {what}" for what, n in report["counts"].items() if n)
            print(f"{count:>5}{parallel:>9}{cost.seconds:>8.1f}{count * 60 / cost.seconds:>10.2f}"
                  f"{cost.cpu_s / count:>11.1f}{cost.peak_mb:>9.0f}{cost.peak_mb / parallel:>14.0f}  {outcome}",
                  flush=True)
            for token_file in folder.glob("*.token.json"):
                token_file.unlink()


if __name__ == "__main__":
    main()
