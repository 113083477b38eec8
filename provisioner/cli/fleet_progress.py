"""What a run over an inventory tells a person, on stderr: a live line per running site, a line per
finished site, then a summary table. Without a terminal (CI logs) every step is a line prefixed with its
site instead of the live lines.

Called from the worker threads: state changes under a lock; rich's Console serialises the printing.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from provisioner.cli.progress import step_line
from provisioner.fleet.report import FleetReport, SiteResult
from provisioner.runner.report import StepResult
from provisioner.secrets import redact
from provisioner.steps.base import Step

_OUTCOME_STYLES = {"converged": "green", "pending": "cyan", "failed": "bold red"}


@dataclass
class _Running:
    started: float
    steps: int
    index: int = 0
    step: str = "signing in"


class FleetProgress:
    def __init__(self, total: int, console: Console | None = None):
        self.console = console or Console(stderr=True, highlight=False, soft_wrap=True)
        if not self.console.is_terminal and "COLUMNS" not in os.environ:
            self.console.width = 120  # a CI log is wide; rich's 80 would squeeze the summary's columns
        self.total = total
        self.live = self.console.is_terminal
        self._lock = threading.Lock()
        self._running: dict[str, _Running] = {}
        self._done = 0
        self._spinner = Spinner("dots")
        self._display = Live(console=self.console, get_renderable=self._render, refresh_per_second=4,
                             transient=True) if self.live else None

    # --- around the run ---------------------------------------------------------------------------------
    def start(self) -> None:
        if self._display is not None:
            self._display.start()

    def stop(self) -> None:
        if self._display is not None:
            self._display.stop()

    def note(self, message: str, style: str = "") -> None:
        self.console.print(Text(redact(message), style=style))

    def warn(self, message: str) -> None:
        self.note(f"warning: {message}", style="yellow")

    def for_site(self, name: str) -> SiteNotes:
        return SiteNotes(self, name)

    # --- the pool's listener (worker threads) ----------------------------------------------------------
    def site_started(self, name: str, steps: int) -> None:
        with self._lock:
            self._running[name] = _Running(time.monotonic(), steps)
        if not self.live:
            self.note(f"{name}: started")

    def step_started(self, name: str, step: Step) -> None:
        with self._lock:
            running = self._running.get(name)
            if running is not None:
                running.index += 1
                running.step = step.name

    def step_finished(self, name: str, result: StepResult) -> None:
        if not self.live:
            self.console.print(Text(f"{name}: ").append_text(step_line(result)))

    def site_finished(self, result: SiteResult) -> None:
        with self._lock:
            self._running.pop(result.name, None)
            self._done += 1
            done = self._done
        self.console.print(site_line(result, f"[{done}/{self.total}]"))

    def bug(self, name: str, trace: str) -> None:
        self.console.print(Text(f"{name}: {trace}", style="red"))

    # --- after the run ---------------------------------------------------------------------------------
    def summary(self, report: FleetReport) -> None:
        self.console.print()
        self.console.print(summary_table(report))
        for site in report.sites:
            if site.outcome == "failed":
                self.console.print(Text(f"{site.name}: ", style="bold red").append(redact(site.reason)))
        counts = ", ".join(f"{n} {outcome}" for outcome, n in report.counts().items() if n) or "no sites"
        style = "bold red" if report.failed else "bold cyan" if report.pending else "bold green"
        self.console.print(Text(f"{counts} in {report.seconds:g} s (--parallel {report.parallel})", style=style))

    def _render(self):
        with self._lock:
            running = sorted(self._running.items())
            done = self._done
        grid = Table.grid(padding=(0, 1))
        for name, site in running:
            elapsed = int(time.monotonic() - site.started)
            grid.add_row(self._spinner, Text(name, style="bold"), Text(f"{site.index}/{site.steps}"),
                         Text(redact(site.step)), Text(f"{elapsed // 60}:{elapsed % 60:02d}", style="dim"))
        header = Text(f"{done}/{self.total} sites done, {len(running)} running", style="dim")
        return Group(header, grid)


class SiteNotes:
    """note()/warn() for one site, as the single-site hand-over code calls them."""

    def __init__(self, progress: FleetProgress, name: str):
        self.progress, self.name = progress, name

    def note(self, message: str, style: str = "") -> None:
        self.progress.note(f"{self.name}: {message}", style)

    def warn(self, message: str) -> None:
        self.progress.warn(f"{self.name}: {message}")


def site_line(result: SiteResult, position: str = "") -> Text:
    outcome = result.outcome
    line = Text()
    if position:
        line.append(f"{position} ", style="dim")
    line.append(f"{outcome:<9} ", style=_OUTCOME_STYLES[outcome])
    line.append(result.name, style="bold")
    if outcome == "failed":
        line.append(f" — {redact(result.reason)}")
    else:
        tally = ", ".join(f"{n} {what}" for what, n in (("changed", result.count("changed")),
                          ("unchanged", result.count("unchanged")), ("pending", result.count("pending"))) if n)
        line.append(f" — {tally}; verification {result.verification}")
    line.append(f" ({result.seconds:g} s)", style="dim")
    return line


def summary_table(report: FleetReport) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("site", no_wrap=True)
    table.add_column("Moodle", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    for label in ("changed", "unchanged", *(("pending",) if report.check else ()), "failed"):
        table.add_column(label, justify="right")
    table.add_column("verification", no_wrap=True)
    table.add_column("s", justify="right")
    for site in report.sites:
        counts = [site.count("changed"), site.count("unchanged"),
                  *((site.count("pending"),) if report.check else ()), site.count("failed", "blocked")]
        if site.error and site.report is None:
            counts[-1] = "—"
        table.add_row(site.name, site.release.split(" (")[0] or "—",
                      Text(site.outcome, style=_OUTCOME_STYLES[site.outcome]), *map(str, counts),
                      site.verification, f"{site.seconds:.0f}")
    return table
