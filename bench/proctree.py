"""What the client costs the machine: CPU seconds and peak memory of a process and all its descendants.

Used by the fleet benches. Memory is the sum of PSS (proportional set size, /proc/PID/smaps_rollup) over
the process tree, sampled a few times a second: RSS would count the pages Chromium's processes share once
per process. CPU comes from getrusage(RUSAGE_CHILDREN) once the measured command has exited and been
waited for, which includes every descendant that its parent reaped in turn (driver, Chromium, renderers).
Linux only.
"""
from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass


@dataclass
class Cost:
    seconds: float      # wall clock
    cpu_s: float        # user + system CPU of the command and its descendants
    peak_mb: float      # highest sum of PSS over the tree at any sample
    returncode: int


def _children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read().decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_pss_kb(root: int) -> int:
    tree, total, stack = _children_of(), 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(tree.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def measure(command: list[str], env: dict | None = None, interval: float = 0.25, **popen) -> Cost:
    """Run the command to its end; its output goes where `popen` says (inherited by default)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, **popen)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_pss_kb(process.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    returncode = process.wait()
    done.set()
    sampler.join()
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Cost(seconds, cpu, peak[0] / 1024, returncode)
