"""The fleet report as JUnit XML, the format CI dashboards (GitLab, Jenkins, GitHub test reporters) read.

One <testsuite> per site, one <testcase> per step, plus "sign in" when the site failed before its steps
and "token verification" where REST was asked. A failed or blocked step is a <failure>; a site that
could not be reached or signed into is an <error>; steps not reached are <skipped>. Pending changes
under --check pass, with the changes in <system-out>: the exit code (3) already says so.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from provisioner.fleet.report import FleetReport, SiteResult
from provisioner.secrets import redact


def to_junit(report: FleetReport) -> str:
    root = ET.Element("testsuites", name=f"provisioner run {report.playbook}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for site in report.sites:
        suite = _suite(site, report.started_at)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{report.seconds:.2f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(site: SiteResult, timestamp: str) -> ET.Element:
    suite = ET.Element("testsuite", name=site.name, timestamp=timestamp, time=f"{site.seconds:.2f}")
    properties = ET.SubElement(suite, "properties")
    for name, value in (("url", site.url), ("moodle_release", site.release), ("outcome", site.outcome),
                        ("verification", site.verification), ("groups", ",".join(site.groups))):
        ET.SubElement(properties, "property", name=name, value=redact(value))
    cases: list[ET.Element] = []
    if site.report is None or (site.error and not site.report.steps):
        cases.append(_case(site, "sign in", 0.0, error=site.error or "not run"))
    for step in site.report.steps if site.report else []:
        if step.status in ("failed", "blocked"):
            cases.append(_case(site, step.name, step.seconds, failure=site_step_reason(step), kind=step.status))
        elif step.status == "skipped":
            cases.append(_case(site, step.name, step.seconds, skipped=step.reason))
        else:
            detail = "; ".join(step.changes) or step.reason
            cases.append(_case(site, step.name, step.seconds, out=f"{step.status}: {detail}"))
    if site.report is not None and site.report.steps:
        verification = site.verification
        if verification == "failed":
            cases.append(_case(site, "token verification", 0.0,
                               failure="; ".join(site.report.verification_problems), kind="verification"))
        elif verification == "ok":
            cases.append(_case(site, "token verification", 0.0, out="ok"))
        if site.error:  # the steps passed, then something after them failed (a hand-off)
            cases.append(_case(site, "hand-off", 0.0, error=site.error))
    for case in cases:
        suite.append(case)
    suite.set("tests", str(len(cases)))
    for key, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        suite.set(key, str(sum(1 for case in cases if case.find(tag) is not None)))
    return suite


def site_step_reason(step) -> str:
    error = step.error or {}
    parts = [step.reason]
    parts += [f"{label}: {error[key]}" for key, label in
              (("moodle_message", "Moodle said"), ("url", "page"), ("screenshot", "screenshot")) if error.get(key)]
    return " | ".join(p for p in parts if p)


def _case(site: SiteResult, name: str, seconds: float, *, failure: str | None = None, error: str | None = None,
          skipped: str | None = None, out: str | None = None, kind: str = "failed") -> ET.Element:
    case = ET.Element("testcase", classname=site.name, name=redact(name), time=f"{seconds:.2f}")
    if failure is not None:
        ET.SubElement(case, "failure", message=redact(failure), type=kind).text = redact(failure)
    if error is not None:
        ET.SubElement(case, "error", message=redact(error), type="error").text = redact(error)
    if skipped is not None:
        ET.SubElement(case, "skipped", message=redact(skipped))
    if out:
        ET.SubElement(case, "system-out").text = redact(out)
    return case
