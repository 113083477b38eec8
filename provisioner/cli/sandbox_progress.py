"""Sandbox progress for people, on stderr: a rich bar where stderr is a terminal; elsewhere (CI logs)
plain lines, at most one every few seconds per task, and one when it ends."""
from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

PLAIN_EVERY = 5.0  # seconds between two plain lines of one task


def amount(done: int, total: int | None, unit: str) -> str:
    """ "12/40 MiB", "230/402 plugins", "3 pages" """
    if unit == "bytes":
        mib = lambda n: f"{n / (1 << 20):.0f}"  # noqa: E731
        return f"{mib(done)}/{mib(total)} MiB" if total else f"{mib(done)} MiB"
    return f"{done}/{total} {unit}".rstrip() if total else f"{done} {unit}".rstrip()


class _PlainTask:
    def __init__(self, console: Console, label: str, unit: str):
        self.console, self.label, self.unit = console, label, unit
        self.started = self.said = time.monotonic()
        self.done, self.total = 0, None
        console.print(f"{label} ...")

    def update(self, done: int, total: int | None = None) -> None:
        self.done, self.total = done, total or self.total
        if time.monotonic() - self.said >= PLAIN_EVERY:
            self.said = time.monotonic()
            self.console.print(f"{self.label}: {amount(self.done, self.total, self.unit)} "
                               f"({self.said - self.started:.0f} s)")

    def finish(self) -> None:
        self.console.print(f"{self.label}: done in {time.monotonic() - self.started:.1f} s")


class _BarTask:
    def __init__(self, bars: Progress, label: str, unit: str):
        self.bars, self.unit = bars, unit
        self.task = bars.add_task(label, total=None, amount="")
        bars.start()  # a no-op when already showing

    def update(self, done: int, total: int | None = None) -> None:
        self.bars.update(self.task, completed=done, total=total, amount=amount(done, total, self.unit))

    def finish(self) -> None:
        task = self.bars.tasks[self.task]
        self.bars.update(self.task, total=task.total or max(task.completed, 1),
                         completed=task.total or max(task.completed, 1))
        if all(t.finished for t in self.bars.tasks):
            self.bars.stop()


class SandboxProgress:
    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True, highlight=False)
        self._bars = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[amount]}"),
                              TimeElapsedColumn(), console=self.console)

    def start(self, label: str, unit: str = ""):
        if self.console.is_terminal:
            return _BarTask(self._bars, label, unit)
        return _PlainTask(self.console, label, unit)
