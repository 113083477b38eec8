"""What `provisioner run` tells a person, on stderr: one line per step as it finishes, then a summary.

stdout stays free for machine output (--json, a stdout hand-off). Every text goes through redact()
and is printed as plain Text, so a reason containing "[...]" is never read as rich markup.
"""
from __future__ import annotations

from rich.console import Console
from rich.text import Text

from provisioner.runner.report import RunReport, StepResult
from provisioner.secrets import redact
from provisioner.steps.base import Step

_STYLES = {"changed": "yellow", "unchanged": "green", "pending": "cyan", "failed": "bold red",
           "blocked": "bold magenta", "skipped": "dim"}


class Progress:
    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True, highlight=False, soft_wrap=True)
        self._status = None

    def note(self, message: str, style: str = "") -> None:
        self.console.print(Text(redact(message), style=style))

    def warn(self, message: str) -> None:
        self.note(f"warning: {message}", style="yellow")

    def on_start(self, step: Step) -> None:
        # A spinner while a step reads or changes the site; rich shows none when stderr is not a terminal.
        self.stop()
        self._status = self.console.status(Text(redact(step.name)))
        self._status.start()

    def on_result(self, result: StepResult) -> None:
        self.stop()
        self.console.print(step_line(result))

    def summary(self, report: RunReport) -> None:
        self.stop()
        self.console.print(summary_line(report))

    def stop(self) -> None:
        """End the spinner; also called when provision() raises, so the terminal is left clean."""
        if self._status is not None:
            self._status.stop()
            self._status = None


def step_line(result: StepResult) -> Text:
    line = Text(f"{result.status:<9} ", style=_STYLES.get(result.status, ""))
    line.append(redact(result.name), style="bold")
    detail = _detail(result)
    if detail:
        line.append(f" — {redact(detail)}")
    for warning in result.warnings:
        line.append(f"\n          warning: {redact(warning)}", style="yellow")
    return line


def _detail(result: StepResult) -> str:
    if result.status in ("changed", "pending"):
        return "; ".join(result.changes)
    if result.status == "failed" and result.error:
        extras = [f"{label}: {result.error[key]}" for key, label in
                  (("moodle_message", "Moodle said"), ("url", "page"), ("screenshot", "screenshot"))
                  if result.error.get(key)]
        return " | ".join([result.reason, *extras])
    return result.reason


def summary_line(report: RunReport) -> Text:
    counts: dict[str, int] = {}
    for step in report.steps:
        counts[step.status] = counts.get(step.status, 0) + 1
    tally = ", ".join(f"{n} {status}" for status, n in counts.items()) or "no steps"
    outcome = report.outcome
    if outcome == "converged" and report.check:
        headline = "check: nothing to change"
    elif outcome == "pending":
        headline = "check: changes pending (run without --check to apply)"
    else:
        headline = outcome
    style = {"converged": "bold green", "pending": "bold cyan", "failed": "bold red"}[outcome]
    line = Text(f"{headline}: {tally} in {report.seconds:g} s", style=style)
    for note in report.release_notes:
        line.append(f"\n  note: {note}", style="yellow")
    # Every step may have converged and the run still failed: REST disagreed with what the UI showed.
    for problem in report.verification_problems:
        line.append(f"\n  token verification: {redact(problem)}", style="red")
    return line
