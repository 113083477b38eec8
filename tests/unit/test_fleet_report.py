"""The fleet report: outcome and verification per site, JSON for --only-failed, JUnit XML, no secrets."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from provisioner.errors import PlaybookError
from provisioner.fleet.junit import to_junit
from provisioner.fleet.report import FORMAT, FleetReport, SiteResult, failed_sites
from provisioner.runner.report import RunReport, StepResult
from provisioner.secrets import Secret

SECRET = Secret("Fleet-Secret-Value-42")


def run_report(*statuses: str, check: bool = False, verification: dict | None = None,
               problems: list[str] | None = None) -> RunReport:
    report = RunReport(site="https://a.example.edu", check=check, moodle_release="5.0.6+ (Build: 20260403)")
    for n, status in enumerate(statuses):
        error = {"url": "https://a.example.edu/admin/x.php", "moodle_message": "Moodle's words",
                 "screenshot": None} if status == "failed" else None
        report.steps.append(StepResult(f"step {n}", "user", status, reason=f"reason {n}", error=error))
    report.verification = verification
    report.verification_problems = problems or []
    return report


@pytest.mark.parametrize("result, outcome, verification", [
    (SiteResult("a", "u", report=run_report("changed", "unchanged", verification={"ok": True})), "converged", "ok"),
    (SiteResult("a", "u", report=run_report("unchanged")), "converged", "token unknown"),
    (SiteResult("a", "u", report=run_report("pending", check=True)), "pending", "not run"),
    (SiteResult("a", "u", report=run_report("changed", "failed", "skipped")), "failed", "not run"),
    (SiteResult("a", "u", report=run_report("changed", verification={"ok": False}, problems=["no"])),
     "failed", "failed"),
    (SiteResult("a", "u", error="the site cannot be reached"), "failed", "not run"),
    (SiteResult("a", "u", report=run_report("changed", verification={"ok": True}), error="hand-off failed"),
     "failed", "ok"),
])
def test_outcome_and_verification(result, outcome, verification):
    assert (result.outcome, result.verification) == (outcome, verification)


def test_the_reason_names_the_failed_step_and_moodle_s_words():
    result = SiteResult("a", "u", report=run_report("changed", "failed", "skipped"))
    assert result.reason == "step 'step 1' failed: reason 1 (Moodle said: Moodle's words)"
    assert SiteResult("a", "u", report=run_report("changed")).reason == ""


def fleet(*sites: SiteResult, check: bool = False) -> FleetReport:
    return FleetReport(playbook="book.yml", inventory="inv.yml", check=check, started_at="2026-01-01T00:00:00+00:00",
                       parallel=2, sites=list(sites), seconds=12.5)


def test_json_report_lists_every_site_and_masks_secrets(tmp_path):
    report = fleet(SiteResult("a", "https://a.example.edu", ("g",), run_report("changed", verification={"ok": True})),
                   SiteResult("b", "https://b.example.edu", error=f"wrong password {SECRET.reveal()}"))

    data = report.to_dict()
    text = json.dumps(data)

    assert data["format"] == FORMAT and data["counts"] == {"converged": 1, "pending": 0, "failed": 1}
    assert [s["site"] for s in data["sites"]] == ["a", "b"]
    assert data["sites"][0]["groups"] == ["g"] and data["sites"][0]["moodle_release"].startswith("5.0.6+")
    assert data["sites"][1]["run"] is None
    assert SECRET.reveal() not in text and "wrong password ***" in text
    assert SECRET.reveal() not in to_junit(report)

    path = tmp_path / "r.json"
    path.write_text(text)
    assert failed_sites(path) == {"b"}


@pytest.mark.parametrize("text, words", [("{", "not JSON"), ('{"sites": []}', "not a report"), ("[]", "not a report")])
def test_only_failed_refuses_what_is_not_a_fleet_report(tmp_path, text, words):
    path = tmp_path / "r.json"
    path.write_text(text)
    with pytest.raises(PlaybookError) as caught:
        failed_sites(path)
    assert words in str(caught.value)


def test_junit_marks_failures_errors_and_skips():
    report = fleet(SiteResult("a", "u", report=run_report("changed", "failed", "skipped")),
                   SiteResult("b", "u", report=run_report("blocked", "unchanged", verification={"ok": False},
                                                          problems=["the token answers as 'x'"])),
                   SiteResult("c", "u", error="cannot be reached"))

    root = ET.fromstring(to_junit(report))

    a, b, c = root.findall("testsuite")
    assert [a.get(k) for k in ("tests", "failures", "errors", "skipped")] == ["3", "1", "0", "1"]
    assert "Moodle said: Moodle's words" in a.find("testcase[@name='step 1']/failure").text
    assert b.find("testcase[@name='step 0']/failure").get("type") == "blocked"
    assert b.find("testcase[@name='token verification']/failure") is not None
    assert c.find("testcase[@name='sign in']/error").get("message") == "cannot be reached"
    assert root.get("tests") == str(3 + 3 + 1) and root.get("failures") == "3" and root.get("errors") == "1"
