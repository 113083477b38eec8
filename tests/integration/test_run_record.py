"""`run --record DIR`: the school's record of what was changed on its Moodle, one HTML file that opens in
a browser with no network, shows each changed step with the admin page after it, and holds no secret.
Checked as a reader sees it: opened in Chromium."""
from __future__ import annotations

import json
import os

import pytest
from playwright.sync_api import sync_playwright

from tests.integration.conftest import PLAYBOOK, run_cli

pytestmark = pytest.mark.integration


def test_the_record_shows_each_change_with_its_page_and_no_secret(fresh_moodle, tmp_path):
    record, token_file = tmp_path / "record", tmp_path / "token.json"
    result = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--record", str(record), "--token-out", str(token_file),
                     "--artifacts-dir", str(tmp_path / "artifacts"))
    assert result.code == 0, result.stderr
    (page_file,) = record.glob("*.html")
    assert "record written to" in result.stderr and not list(record.glob(".screenshots-*"))
    html = page_file.read_text()
    token = json.loads(token_file.read_text())["token"]
    assert token not in html and fresh_moodle.admin_password.reveal() not in html

    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-background-networking"])
        page = browser.new_page()
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto(page_file.as_uri())
        shown = page.locator("section.step h2").all_inner_texts()
        changed = page.locator("section.step:has(.badge.changed)").count()
        widths = page.locator("section.step:has(.badge.changed) img").evaluate_all(
            "imgs => imgs.map(i => i.naturalWidth)")
        text = page.inner_text("body")
        browser.close()

    assert outside == []  # nothing fetched from anywhere: the file is whole
    assert len(shown) == changed == 8, shown
    assert len(widths) == 8 and all(w > 200 for w in widths)  # each change with its admin page, rendered
    assert fresh_moodle.release in text and fresh_moodle.admin_user in text
    assert "enable the REST protocol" in text and "Read again afterwards" in text
    assert token not in text
