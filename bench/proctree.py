"""What the client costs the machine: CPU seconds and peak memory of a process and all its descendants.

Used by the fleet and floor benches. Memory is the sum of PSS (proportional set size,
/proc/PID/smaps_rollup) over the process tree, sampled a few times a second: RSS would count the pages
Chromium's processes share once per process. CPU comes from getrusage(RUSAGE_CHILDREN) once the measured
command and every descendant have exited and been waited for (driver, Chromium, renderers). Chromium's
renderers are children of its zygote, which exits first: orphaned, they would be reaped by init and their
CPU lost (a fresh run's renderers alone spent 7 CPU-s, the whole client 14, where 6.5 was counted). So
this process makes itself a child subreaper (prctl), adopts such orphans and reaps them itself. Linux only.
"""
from __future__ import annotations

import ctypes
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


PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> None:
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _descendants(root: int) -> set[int]:
    tree, found, stack = _children_of(), set(), [root]
    while stack:
        pid = stack.pop()
        for child in tree.get(pid, []):
            found.add(child)
            stack.append(child)
    return found


def _reap_adopted(pids: set[int], timeout_s: float = 30.0) -> None:
    """Wait for the descendants that outlived their parents (now ours): their CPU then counts."""
    deadline = time.monotonic() + timeout_s
    for pid in pids:
        while True:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # reaped by its own parent: already counted there
                break
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.05)


def measure(command: list[str], env: dict | None = None, interval: float = 0.25, **popen) -> Cost:
    """Run the command to its end; its output goes where `popen` says (inherited by default)."""
    _become_subreaper()
    ours_before = set(_children_of().get(os.getpid(), []))  # e.g. a sandbox's web server: not the client
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, **popen)
    peak = [0]
    seen: set[int] = set()
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_pss_kb(process.pid))
            seen.update(_descendants(process.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    returncode = process.wait()
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    seen.update(set(_children_of().get(os.getpid(), [])) - ours_before)  # adopted since the last sample
    _reap_adopted(seen - ours_before)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Cost(seconds, cpu, peak[0] / 1024, returncode)
