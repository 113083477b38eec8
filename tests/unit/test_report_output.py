"""What a person and a machine see of a run report: step lines, the summary, the JSON; secrets masked."""
from __future__ import annotations

import json

from provisioner.cli.progress import step_line, summary_line
from provisioner.runner.report import RunReport, StepResult
from provisioner.secrets import Secret

LEAKY = Secret("Leaky-Value-42!")


def failed_step() -> StepResult:
    return StepResult("Create the integration user", "user", "failed",
                      reason=f"Moodle refused the password {LEAKY.reveal()}",
                      error={"url": "https://school.example/user/editadvanced.php?id=-1",
                             "moodle_message": "Passwords must have at least 1 digit(s).",
                             "screenshot": "provisioner-artifacts/user.png"})


def test_each_status_has_its_detail():
    assert step_line(StepResult("A", "webservices", "unchanged", reason="already on")).plain == \
        "unchanged A — already on"
    assert step_line(StepResult("B", "service", "changed", changes=["create", "enable"])).plain == \
        "changed   B — create; enable"
    assert step_line(StepResult("C", "token", "skipped", reason="not reached")).plain == \
        "skipped   C — not reached"


def test_failed_step_line_says_where_and_why_without_the_secret():
    line = step_line(failed_step()).plain
    assert line.startswith("failed    Create the integration user — Moodle refused the password ***")
    assert "Moodle said: Passwords must have at least 1 digit(s)." in line
    assert "page: https://school.example/user/editadvanced.php?id=-1" in line
    assert "screenshot: provisioner-artifacts/user.png" in line
    assert LEAKY.reveal() not in line


def test_markup_in_a_reason_is_printed_literally():
    assert "[bold]x[/bold]" in step_line(StepResult("A", "user", "unchanged", reason="[bold]x[/bold]")).plain


def test_summary_names_the_outcome_and_counts():
    report = RunReport(site="https://s.example", check=False, seconds=1.5,
                       steps=[StepResult("A", "user", "changed"), StepResult("B", "user", "unchanged")])
    assert summary_line(report).plain == "converged: 1 changed, 1 unchanged in 1.5 s"
    report.steps.append(failed_step())
    assert summary_line(report).plain.startswith("failed: 1 changed, 1 unchanged, 1 failed")
    checked = RunReport(site="https://s.example", check=True, steps=[StepResult("A", "user", "unchanged")])
    assert summary_line(checked).plain.startswith("check: nothing to change")


def test_json_report_masks_secrets():
    report = RunReport(site="https://s.example", check=False, steps=[failed_step()])
    text = json.dumps(report.to_dict())
    assert LEAKY.reveal() not in text and "***" in text
    assert json.loads(text)["outcome"] == "failed"


def test_summary_of_a_run_that_failed_verification_says_why():
    report = RunReport(site="https://s.example", check=False, steps=[StepResult("A", "token", "changed")])
    report.verification_problems = ["core_user_get_users (missing capability)"]
    assert "token verification: core_user_get_users (missing capability)" in summary_line(report).plain
