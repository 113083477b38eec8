"""What a run over an inventory did, site by site: for people (the summary table), CI dashboards (JSON,
JUnit XML) and the next run (`--only-failed REPORT`).

Every string goes through redact_all() before it is written: a secret read for one site is masked in
every site's entry.
"""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from provisioner.errors import PlaybookError
from provisioner.runner.report import RunReport
from provisioner.secrets import redact_all

FORMAT = "moodle-provisioner-fleet-report/1"
HEALTH_FORMAT = "moodle-provisioner-health-report/1"  # `verify --inventory`'s: its failed sites are taken too


@dataclass
class SiteResult:
    name: str
    url: str
    groups: tuple[str, ...] = ()
    report: RunReport | None = None    # None when the run stopped before any step (sign-in, browser)
    error: str | None = None           # why the site failed outside its steps: sign-in, hand-off, a bug
    seconds: float = 0.0

    @property
    def outcome(self) -> str:
        if self.error or self.report is None or self.report.failed:
            return "failed"
        return self.report.outcome

    @property
    def release(self) -> str:
        return self.report.moodle_release if self.report else ""

    def count(self, *statuses: str) -> int:
        return sum(1 for step in self.report.steps if step.status in statuses) if self.report else 0

    @property
    def verification(self) -> str:
        """ok | failed | not run (--check, or the run failed first) | token unknown (an existing token)."""
        report = self.report
        if report is None or report.check or (report.verification is None and report.failed):
            return "not run"
        if report.verification is None:
            return "token unknown"
        return "ok" if report.verification.get("ok") and not report.verification_problems else "failed"

    @property
    def reason(self) -> str:
        """One line on why the site failed; empty when it did not."""
        if self.outcome != "failed":
            return ""
        if self.error:
            return self.error
        for step in self.report.steps:
            if step.status in ("failed", "blocked"):
                said = (step.error or {}).get("moodle_message")
                return f"step '{step.name}' {step.status}: {step.reason}" + (f" (Moodle said: {said})" if said else "")
        return "token verification: " + "; ".join(self.report.verification_problems)

    def to_dict(self) -> dict:
        return {"site": self.name, "url": self.url, "groups": list(self.groups), "outcome": self.outcome,
                "moodle_release": self.release, "changed": self.count("changed"),
                "unchanged": self.count("unchanged"), "pending": self.count("pending"),
                "failed": self.count("failed", "blocked"), "skipped": self.count("skipped"),
                "verification": self.verification, "reason": self.reason or None, "seconds": self.seconds,
                "run": self.report.to_dict() if self.report else None}


@dataclass
class FleetReport:
    playbook: str
    inventory: str
    check: bool
    started_at: str
    parallel: int
    selection: dict = field(default_factory=dict)   # limit, shard, only_failed: what chose these sites
    sites: list[SiteResult] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        counts = {"converged": 0, "pending": 0, "failed": 0}
        for site in self.sites:
            counts[site.outcome] += 1
        return counts

    @property
    def failed(self) -> bool:
        return any(site.outcome == "failed" for site in self.sites)

    @property
    def pending(self) -> bool:
        return any(site.outcome == "pending" for site in self.sites)

    def to_dict(self) -> dict:
        return redact_all({"format": FORMAT, "playbook": self.playbook, "inventory": self.inventory,
                           "check": self.check, "started_at": self.started_at, "seconds": self.seconds,
                           "parallel": self.parallel, "selection": self.selection, "counts": self.counts(),
                           "sites": [site.to_dict() for site in self.sites]})


def failed_sites(path: Path) -> set[str]:
    """The sites a report says failed (`--only-failed`); anything but such a report is bad input."""
    where = f"--only-failed {path}"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(f"{where}: {getattr(exc, 'strerror', None) or 'not a text file'}") from None
    except ValueError:
        raise PlaybookError(f"{where}: not JSON; give the file --report-json wrote") from None
    if (not isinstance(document, dict) or document.get("format") not in (FORMAT, HEALTH_FORMAT)
            or not isinstance(document.get("sites"), list)):
        raise PlaybookError(f"{where}: not a report of `provisioner run --inventory` or `verify --inventory` "
                            "(--report-json)")
    return {str(entry.get("site")) for entry in document["sites"]
            if isinstance(entry, dict) and entry.get("outcome") == "failed"}


def write_report(path: Path, text: str) -> None:
    """Whole or not at all: a CI step reading the report never sees half of it."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
