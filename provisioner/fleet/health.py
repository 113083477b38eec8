"""The health of many connections, over REST only: no browser, no admin login. Each site's stored token
is checked as `verify` and `doctor` check one (the token answers, the seven functions are in the service
and callable, the user is the one expected, the release and its support), in parallel threads: the work
is waiting on the sites, and an httpx client per check costs little.

A site is `healthy` or `failed`; a failed one names its cause and the seed step that fixes it.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from provisioner.errors import ProvisionerError
from provisioner.fleet.report import HEALTH_FORMAT as FORMAT
from provisioner.fleet.report import write_report
from provisioner.network import Network
from provisioner.rest.doctor import examine
from provisioner.secrets import Secret, redact_all



@dataclass
class SiteHealth:
    site: str
    url: str
    outcome: str = "healthy"              # healthy | failed
    cause: str = ""                       # the most fundamental finding, in one line
    step: int | None = None               # the seed step that fixes it, where one does
    step_name: str | None = None
    findings: list[dict] = field(default_factory=list)  # every finding (doctor --inventory shows them all)
    username: str | None = None
    release: str | None = None
    release_notes: list[str] = field(default_factory=list)
    groups: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass
class HealthCheck:
    """One site to check: where it is, how its token is read (raises ProvisionerError), the way to it."""
    name: str
    url: str
    read_token: Callable[[], Secret]
    network: Network
    groups: tuple[str, ...] = ()


@dataclass
class HealthReport:
    inventory: str
    checked_at: str
    parallel: int
    selection: dict
    sites: list[SiteHealth]
    seconds: float = 0.0

    @property
    def failed(self) -> list[SiteHealth]:
        return [s for s in self.sites if s.outcome == "failed"]

    def to_json(self) -> str:
        data = {"format": FORMAT, **asdict(self), "healthy": len(self.sites) - len(self.failed),
                "failed": len(self.failed)}
        return json.dumps(redact_all(data), indent=2) + "\n"


def check_site(check: HealthCheck, timeout: float) -> SiteHealth:
    started = time.monotonic()
    health = SiteHealth(check.name, check.url, groups=check.groups)
    try:
        token = check.read_token()
        findings, verification = examine(check.url, token, timeout=timeout, network=check.network)
    except ProvisionerError as exc:  # no token to check with
        health.outcome, health.cause = "failed", str(exc)
    else:
        health.username, health.release = verification.username, verification.release
        health.release_notes = verification.release_notes
        if findings:
            first = findings[0]
            health.outcome = "failed"
            health.cause = f"{first.cause}: {first.detail}" if first.detail else first.cause
            health.step, health.step_name = first.step, first.step_name
            health.findings = [f.to_dict() for f in findings]
    health.seconds = round(time.monotonic() - started, 2)
    return health


def check_fleet(checks: Sequence[HealthCheck], parallel: int, timeout: float, inventory: str, selection: dict,
                on_result: Callable[[SiteHealth], None] = lambda health: None) -> HealthReport:
    checked_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    started = time.monotonic()
    results: dict[str, SiteHealth] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="health") as pool:
        for health in pool.map(lambda check: check_site(check, timeout), checks):
            results[health.site] = health
            on_result(health)
    ordered = [results[check.name] for check in checks]
    return HealthReport(inventory, checked_at, parallel, selection, ordered, round(time.monotonic() - started, 1))


def to_junit(report: HealthReport) -> str:
    """One <testsuite>, one <testcase> per site: a broken connection is a <failure> naming its cause."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="provisioner verify --inventory", tests=str(len(report.sites)),
                      failures=str(len(report.failed)), time=f"{report.seconds:.2f}")
    suite = ET.SubElement(root, "testsuite", name=f"connections of {report.inventory}", timestamp=report.checked_at,
                          tests=str(len(report.sites)), failures=str(len(report.failed)), time=f"{report.seconds:.2f}")
    for health in redact_all([asdict(s) for s in report.sites]):
        case = ET.SubElement(suite, "testcase", classname="connection", name=health["site"],
                             time=f"{health['seconds']:.2f}")
        if health["outcome"] == "failed":
            fix = f" (fixed by step {health['step']}: {health['step_name']})" if health["step"] else ""
            ET.SubElement(case, "failure", message=health["cause"] + fix, type="broken")
        else:
            ET.SubElement(case, "system-out").text = f"healthy: Moodle {health['release']}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_reports(report: HealthReport, json_path: Path | None, junit_path: Path | None) -> None:
    if json_path is not None:
        write_report(json_path, report.to_json())
    if junit_path is not None:
        write_report(junit_path, to_junit(report))
