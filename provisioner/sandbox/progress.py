"""How long sandbox work reports how far it is (pulls, installs, copies, profiles), without knowing who
listens: the CLI shows a bar on a terminal and plain lines in a CI log (cli/sandbox_progress.py); tests
and library callers get `quiet`."""
from __future__ import annotations

from typing import Protocol


class Task(Protocol):
    def update(self, done: int, total: int | None = None) -> None: ...
    def finish(self) -> None: ...


class Progress(Protocol):
    def start(self, label: str, unit: str = "") -> Task: ...


class _QuietTask:
    def update(self, done: int, total: int | None = None) -> None:
        pass

    def finish(self) -> None:
        pass


class _Quiet:
    def start(self, label: str, unit: str = "") -> Task:
        return _QuietTask()


quiet: Progress = _Quiet()
