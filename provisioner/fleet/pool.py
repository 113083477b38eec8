"""Run one playbook on many sites at once: `parallel` worker threads, each with its own browser, and a
fresh browser context (cookies, storage) for every site it takes.

Why this shape (bench/fleet_models_bench.py; 6 check runs, 3 at a time, on this 2-core machine):
Playwright's sync API is bound to the thread that started it, so nothing Playwright can be shared between
threads. Whatever the model, a concurrent site costs its own renderer (~250 MB for Moodle's admin pages);
each browser adds ~170 MB (browser, GPU and network processes) and each driver ~140 MB. Measured:
a browser per worker thread, reused with a fresh context per site: 95 s, 31 CPU s, 1.4 GB peak; a new
browser for every site: 131 s, 35 CPU s (a launch per site); a worker process instead of a thread: 103 s,
32 CPU s, 1.5 GB (an interpreter and its imports more, for nothing: the client spends ~5 CPU s per site,
mostly in the driver and Chromium, so the GIL is never the limit); one Chromium shared over CDP by every
worker: no less memory (1.44 vs 1.40 GB) and slower. A remote browser server (--browser-endpoint) takes
Chromium off this machine altogether.

A site's failure, or a bug in its run, ends that site's run only: it is recorded and the worker takes
the next site. A worker whose browser crashed or disconnected opens a new one before its next site.
"""
from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, replace
from typing import Protocol

from provisioner import app
from provisioner.browser import Browser, BrowserOptions, open_browser
from provisioner.errors import ProvisionerError
from provisioner.fleet.report import SiteResult
from provisioner.runner.report import StepResult
from provisioner.secrets import redact
from provisioner.steps.base import Step

INTERRUPTED = "not run: the run was interrupted (Ctrl-C) before this site started"


@dataclass
class SiteJob:
    name: str
    url: str
    playbook: object                    # a loaded Playbook, with this site's variables
    options: app.RunOptions
    groups: tuple[str, ...] = ()
    after: Callable[[app.RunOutcome], None] | None = None   # token file, hand-off; may raise ProvisionerError


class Listener(Protocol):
    """What the progress display hears; called from worker threads."""

    def site_started(self, name: str, steps: int) -> None: ...
    def step_started(self, name: str, step: Step) -> None: ...
    def step_finished(self, name: str, result: StepResult) -> None: ...
    def site_finished(self, result: SiteResult) -> None: ...
    def bug(self, name: str, trace: str) -> None: ...


def run_sites(jobs: Sequence[SiteJob], parallel: int, browser: BrowserOptions, listener: Listener,
              stop: threading.Event | None = None) -> list[SiteResult]:
    """Every job's result, in the jobs' order. `stop` (or Ctrl-C) ends the run after the sites under way."""
    stop = stop or threading.Event()
    todo: queue.SimpleQueue[SiteJob] = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)
    results: dict[str, SiteResult] = {}

    def work() -> None:
        with _WorkerBrowser(browser) as own:
            while not stop.is_set():
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                results[job.name] = _run_site(job, own, listener)

    workers = [threading.Thread(target=work, name=f"fleet-worker-{n + 1}", daemon=True)
               for n in range(min(parallel, len(jobs)))]
    for worker in workers:
        worker.start()
    try:
        for worker in workers:
            worker.join()
    except KeyboardInterrupt:
        # The sites under way finish (stopping one mid-step could leave it half-changed); no new one starts.
        stop.set()
        for worker in workers:
            worker.join()
    return [results.get(job.name) or SiteResult(job.name, job.url, job.groups, error=INTERRUPTED) for job in jobs]


def _run_site(job: SiteJob, worker: _WorkerBrowser, listener: Listener) -> SiteResult:
    result = SiteResult(job.name, job.url, job.groups)
    started = time.monotonic()
    listener.site_started(job.name, len(job.playbook.steps))
    try:
        options = replace(job.options, browser=worker.get())
        outcome = app.provision(job.playbook, options,
                                on_start=lambda step: listener.step_started(job.name, step),
                                on_result=lambda step_result: listener.step_finished(job.name, step_result))
        result.report = outcome.report
        if job.after is not None:
            job.after(outcome)
    except ProvisionerError as exc:
        result.error = redact(str(exc))
    except Exception as exc:  # noqa: BLE001  a bug: shown with its traceback, and the other sites go on
        listener.bug(job.name, redact(traceback.format_exc()))
        result.error = redact(f"internal error ({type(exc).__name__}: {exc}); please report it")
    result.seconds = round(time.monotonic() - started, 2)
    listener.site_finished(result)
    return result


class _WorkerBrowser:
    """A worker thread's browser: opened at its first site, reopened if it died, closed when the worker ends."""

    def __init__(self, options: BrowserOptions):
        self.options = options
        self._stack: ExitStack | None = None
        self._browser: Browser | None = None

    def get(self) -> Browser:
        if self._browser is not None and not self._browser.connected:
            self.close()
        if self._browser is None:
            stack = ExitStack()
            self._browser = stack.enter_context(open_browser(self.options))  # ProvisionerError: this site fails
            self._stack = stack
        return self._browser

    def close(self) -> None:
        stack, self._stack, self._browser = self._stack, None, None
        if stack is not None:
            with suppress(Exception):  # a browser that already died cannot be closed cleanly
                stack.close()

    def __enter__(self) -> _WorkerBrowser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
