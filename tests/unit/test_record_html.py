"""The school's record, rendered from a run report: escaped, self-contained, no secret."""
from __future__ import annotations

import base64

from provisioner.record import record_name, write_index, write_record
from provisioner.runner.report import RunReport, StepResult
from provisioner.secrets import Secret

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def test_a_record_holds_each_step_escaped_with_its_screenshot_and_no_secret(tmp_path):
    token = Secret("c0ffee" * 5 + "00")
    shot = tmp_path / "shot.png"
    shot.write_bytes(PNG)
    report = RunReport(site="https://school.edu/moodle", check=False, moodle_release="5.1 upwards",
                       admin_user="admin", started_at="2026-12-04T06:30:00+00:00")
    report.steps = [
        StepResult("Enable the REST protocol", "protocols", "changed", changes=["enable the REST protocol"],
                   after="REST protocol already enabled", screenshot=str(shot)),
        StepResult("Create the user <b>", "user", "unchanged", reason=f"user exists; token {token.reveal()}"),
    ]
    report.verification = {"ok": True, "username": "enrollait-user", "release": "5.1 (Build: 20251006)"}

    path = write_record(tmp_path, report)
    html = path.read_text()
    assert path.name == record_name("https://school.edu/moodle") == "school.edu_moodle.html"
    assert "5.1 (Build: 20251006)" in html  # REST's release, whole
    assert "Create the user &lt;b&gt;" in html and "<b>\n" not in html  # escaped
    assert "data:image/png;base64," in html and html.count("<img") == 1
    assert token.reveal() not in html and "***" in html
    assert "<script" not in html and "http-equiv=\"Content-Security-Policy\"" in html


def test_a_fleet_index_links_each_record(tmp_path):
    html = write_index(tmp_path, [("north", "converged", "north.html"), ("gone", "failed", "")]).read_text()
    assert '<a href="north.html">north</a>' in html and "<th>gone</th>" in html
