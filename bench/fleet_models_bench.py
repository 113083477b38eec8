"""Which concurrency model should `run --inventory` use? The same workload under each, measured.

The workload: SITES check-mode runs of the Enrollait playbook (sign-in and every step's read, nothing
changed, so it repeats without a reset) over WORKERS at a time. The models:

  site     a worker thread per slot, a new driver and browser for every site
  worker   a worker thread per slot with its own driver and browser, a fresh context per site (chosen)
  process  a worker process per slot, each with its own driver and browser, a context per site
  cdp      one Chromium for everyone (over CDP), a driver and a context per site in each worker thread

Prints wall seconds, the client's CPU seconds (Python, drivers, Chromium) and its peak memory (PSS).

    python bench/fleet_models_bench.py --sites fl-50,fl-45,fl-41,fl-50,fl-45,fl-41 --workers 3
"""
from __future__ import annotations

import argparse
import queue
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proctree import measure  # noqa: E402

from provisioner import app  # noqa: E402
from provisioner.browser import Browser, BrowserOptions, open_browser  # noqa: E402
from provisioner.playbook import load_playbook  # noqa: E402
from provisioner.sandbox import state as state_mod  # noqa: E402
from provisioner.sandbox.paths import SandboxPaths  # noqa: E402

PLAYBOOK = Path(__file__).resolve().parents[1] / "playbooks" / "enrollait.yml"
MODELS = ("site", "worker", "process", "cdp")


def check_site(name: str, browser: Browser | None = None) -> str:
    sandbox = state_mod.load(SandboxPaths(name).state_file)
    options = app.RunOptions(site_url=sandbox.url, admin_user=sandbox.admin_user, check=True,
                             admin_password=sandbox.admin_password, browser=browser,
                             artifacts_dir=Path(tempfile.gettempdir()) / "fleet-models-bench")
    return app.provision(load_playbook(PLAYBOOK), options).report.outcome


def drain(todo: queue.Queue, browser: Browser | None) -> list[str]:
    outcomes = []
    while True:
        try:
            name = todo.get_nowait()
        except queue.Empty:
            return outcomes
        outcomes.append(check_site(name, browser))


def thread_worker(todo: queue.Queue, reuse: bool) -> list[str]:
    if not reuse:
        return drain(todo, None)
    with open_browser(BrowserOptions()) as browser:
        return drain(todo, browser)


def process_worker(names: list[str]) -> list[str]:
    todo: queue.Queue = queue.Queue()
    for name in names:
        todo.put(name)
    return thread_worker(todo, reuse=True)


def cdp_worker(todo: queue.Queue, port: int) -> list[str]:
    from playwright.sync_api import sync_playwright  # the bench may; the product goes through browser.py

    with sync_playwright() as playwright:
        shared = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        return drain(todo, Browser(shared, BrowserOptions()))


def run_model(model: str, workers: int, names: list[str]) -> list[str]:
    """One model's workload, in this process (the bench measures it from outside)."""
    todo: queue.Queue = queue.Queue()
    for name in names:
        todo.put(name)
    if model == "process":
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(workers) as processes:
            return [o for part in processes.map(process_worker, [names[i::workers] for i in range(workers)])
                    for o in part]
    chromium = None
    if model == "cdp":
        port = 9333
        chromium = subprocess.Popen(["/usr/lib/chromium/chromium", "--headless=new", f"--remote-debugging-port={port}",
                                     "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                     "--no-first-run", f"--user-data-dir={tempfile.mkdtemp()}", "about:blank"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
    try:
        with ThreadPoolExecutor(workers) as pool:
            if model == "cdp":
                futures = [pool.submit(cdp_worker, todo, port) for _ in range(workers)]
            else:
                futures = [pool.submit(thread_worker, todo, model == "worker") for _ in range(workers)]
            return [o for future in futures for o in future.result()]
    finally:
        if chromium is not None:
            chromium.terminate()
            chromium.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", required=True, help="comma-separated installed, running sandboxes (repeats ok)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one model's workload
    args = parser.parse_args()
    names = args.sites.split(",")
    if args.one:
        outcomes = run_model(args.one, args.workers, names)
        sys.exit(0 if all(o == "pending" or o == "converged" for o in outcomes) else 1)
    print(f"{len(names)} check runs, {args.workers} at a time")
    print(f"{'model':<9}{'wall s':>8}{'CPU s':>8}{'CPU s/site':>11}{'peak MB':>9}  ok")
    for model in args.models.split(","):
        cost = measure([sys.executable, __file__, "--sites", args.sites, "--workers", str(args.workers),
                        "--one", model], stderr=subprocess.DEVNULL)
        print(f"{model:<9}{cost.seconds:>8.1f}{cost.cpu_s:>8.1f}{cost.cpu_s / len(names):>11.1f}"
              f"{cost.peak_mb:>9.0f}  {'yes' if cost.returncode == 0 else 'NO'}", flush=True)


if __name__ == "__main__":
    main()
