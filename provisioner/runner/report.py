"""The run report: one entry per step, for people (progress lines) and machines (--json)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from provisioner.secrets import redact_all

Status = Literal["changed", "unchanged", "pending", "failed", "blocked", "skipped"]


@dataclass
class StepResult:
    name: str
    kind: str
    status: Status
    reason: str = ""
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: dict | None = None  # url, moodle_message, screenshot of a failed step
    after: str = ""            # a changed step: what its fresh read found once the change was made
    screenshot: str | None = None  # `run --record`: the admin page after the change (secrets painted over)


@dataclass
class RunReport:
    site: str
    check: bool
    moodle_release: str = ""
    admin_user: str = ""       # who made the changes (the record for the school says so)
    started_at: str = ""       # ISO 8601, UTC
    release_notes: list[str] = field(default_factory=list)  # not tested with this tool, past security support
    steps: list[StepResult] = field(default_factory=list)
    verification: dict | None = None
    verification_problems: list[str] = field(default_factory=list)  # REST disagreed: the run failed
    handoff: list[str] = field(default_factory=list)
    page_loads: int = 0  # pages the browser loaded
    pages_read: int = 0  # requests to Moodle without rendering (pages read as HTML, forms and AJAX posted)
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        # A blocked step (a setting forced in config.php) leaves the site unconverged: the run did not succeed.
        return (any(s.status in ("failed", "blocked") for s in self.steps)
                or bool(self.verification_problems))

    @property
    def pending(self) -> bool:
        return any(s.status == "pending" for s in self.steps)

    @property
    def changed(self) -> list[StepResult]:
        return [s for s in self.steps if s.status == "changed"]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["outcome"] = self.outcome
        return redact_all(data)

    @property
    def outcome(self) -> str:
        if self.failed:
            return "failed"
        if self.pending:
            return "pending"
        return "converged"

