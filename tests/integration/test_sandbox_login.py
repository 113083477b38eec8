"""The sandbox is a real Moodle: its admin can log in over plain HTTP."""
from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.integration


def log_in(client: httpx.Client, user: str, password: str) -> httpx.Response:
    form = client.get("/login/index.php")
    assert form.status_code == 200
    token = re.search(r'name="logintoken" value="([^"]+)"', form.text)
    assert token, "login form has no logintoken"
    return client.post("/login/index.php", data={
        "username": user, "password": password, "logintoken": token.group(1), "anchor": ""})


def test_admin_logs_in_and_lands_on_a_logged_in_page(moodle_sandbox):
    with httpx.Client(base_url=moodle_sandbox.url, follow_redirects=True, timeout=60) as client:
        landed = log_in(client, moodle_sandbox.admin_user, moodle_sandbox.admin_password.reveal())
        assert landed.status_code == 200
        assert "/login/index.php" not in landed.url.path
        assert "/login/logout.php?sesskey=" in landed.text  # only a logged-in page offers logout
    [(current_login,)] = moodle_sandbox.sql(
        "SELECT currentlogin FROM mdl_user WHERE username = %s", moodle_sandbox.admin_user)
    assert int(current_login) > 0


def test_wrong_password_is_refused(moodle_sandbox):
    with httpx.Client(base_url=moodle_sandbox.url, follow_redirects=True, timeout=60) as client:
        landed = log_in(client, moodle_sandbox.admin_user, "not-the-password")
        assert "/login/logout.php?sesskey=" not in landed.text


@pytest.mark.matrix
def test_fixture_describes_the_site(moodle_sandbox):
    assert moodle_sandbox.url.startswith("http://127.0.0.1:")
    assert re.fullmatch(r"\d+\.\d+", moodle_sandbox.version)
    assert moodle_sandbox.release.startswith(moodle_sandbox.version)
    [(release,)] = moodle_sandbox.sql("SELECT value FROM mdl_config WHERE name = 'release'")
    assert release == moodle_sandbox.release
    assert "***" in repr(moodle_sandbox)  # the password never prints
