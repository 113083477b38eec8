"""What a fleet health check costs the client: `verify --inventory`'s own code path (check_fleet) over N
sites at --parallel P, against the lab's sandboxes (issue 20: 100 sites at --parallel 10, REST only, well
under a CPU-second per site).

An inventory may not name one URL twice, so the N "sites" here are the given lab sites taken in turn,
each check a full one (its own HTTP client, every REST probe). It prints wall seconds, the CPU seconds of
this process (Python: the only client there is; no browser or driver is started, which it checks), and
per site.

    python bench/health_bench.py --site fb-50=tokens/fb.json --site dkf-51=tokens/dk.json --count 100 --parallel 10
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from provisioner.fleet.health import HealthCheck, check_fleet
from provisioner.network import network_from
from provisioner.sandbox.engine import engine_for
from provisioner.sandbox.model import UpRequest
from provisioner.secrets import Secret


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", action="append", required=True, metavar="SANDBOX=TOKEN_FILE",
                        help="a provisioned sandbox and the --token-out file of its token; repeatable")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--parallel", type=int, default=10)
    args = parser.parse_args()

    lab = []
    for spec in args.site:
        name, _, token_file = spec.partition("=")
        up = engine_for(name).up(UpRequest(name=name))
        token = Secret(json.loads(Path(token_file).read_text())["token"])
        lab.append((up.url, token))
    network = network_from()
    checks = [HealthCheck(f"site-{i:03d}", lab[i % len(lab)][0], (lambda t=lab[i % len(lab)][1]: t), network)
              for i in range(args.count)]
    cpu, started = cpu_seconds(), time.monotonic()
    report = check_fleet(checks, args.parallel, 60.0, "bench", {})
    wall, cpu = time.monotonic() - started, cpu_seconds() - cpu
    healthy = len(report.sites) - len(report.failed)
    print(f"{args.count} sites ({len(lab)} lab sandboxes in turn) at --parallel {args.parallel}: {wall:.1f} s wall, "
          f"{args.count / wall * 60:.0f} sites/min; client CPU {cpu:.1f} s = {cpu / args.count:.3f} s per site; "
          f"{healthy} healthy")
    print(f"browser started: {'yes' if 'playwright' in sys.modules else 'no (Playwright never imported)'}")
    if report.failed:
        print("failed:", sorted({s.cause for s in report.failed}))


if __name__ == "__main__":
    main()
