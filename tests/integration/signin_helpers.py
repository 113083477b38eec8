"""What the sign-in tests do to a sandbox 'by hand': admin settings, MFA for the admin, a display, and the
person at the visible browser window of `provisioner login`."""
from __future__ import annotations

import base64
import os
import shutil
import subprocess
import time
from contextlib import contextmanager

import pyotp
import pytest

from provisioner.secrets import Secret
from tests.integration.conftest import admin_ui

SETTLED = "() => !(window.M && M.util && M.util.pending_js) || M.util.pending_js.length === 0"


def set_admin_settings(ui, section: str, values: dict[str, str | bool]) -> None:
    """Save settings on admin/settings.php?section=... as an admin would (set_config purges the caches).
    Keys are the setting's element id without 'id_s_', e.g. 'tool_mfa_enabled', '_alternateloginurl'."""
    ui.goto("{admin}/settings.php", section=section)
    ui.edit()
    for field, value in values.items():
        if isinstance(value, bool):
            ui.page.set_checked(f"#id_s_{field}", value)
        else:
            ui.page.fill(f"#id_s_{field}", value)
    ui.submit("form#adminsettings button[type=submit]")
    assert not ui.form_errors(), ui.form_errors()


def enable_totp_mfa(sandbox) -> Secret:
    """The admin's authenticator app set up (the record Moodle's own Behat generator makes for a user
    factor, never verified yet), then the TOTP factor and MFA turned on in the admin settings.
    Returns the secret the admin's app would hold."""
    secret = base64.b32encode(os.urandom(10)).decode()  # 16 characters, as factor_totp makes them
    now = int(time.time())
    sandbox.sql("INSERT INTO mdl_tool_mfa (userid, factor, secret, label, timecreated, createdfromip, "
                "timemodified, lastverified, revoked, lockcounter) SELECT id, 'totp', %s, 'Test phone', %s, "
                "'127.0.0.1', %s, 0, 0, 0 FROM mdl_user WHERE username = %s",
                secret, now, now, sandbox.admin_user)
    with admin_ui(sandbox) as ui:
        set_admin_settings(ui, "factor_totp", {"factor_totp_enabled": True})
        set_admin_settings(ui, "managemfa", {"tool_mfa_enabled": True})
    return Secret(secret)


def totp_code(secret: Secret) -> str:
    class MoodleTotp(pyotp.TOTP):
        min_secret_length_bits = 80
    return MoodleTotp(secret.reveal()).now()


@pytest.fixture(scope="module")
def display():
    """A virtual X display for the visible browser of `provisioner login` (CI: apt-get install xvfb)."""
    if not shutil.which("Xvfb"):
        pytest.fail("Xvfb is not installed: apt-get install xvfb (the visible-browser tests need it)")
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        number = xvfb.stdout.readline().strip()  # written once the display accepts clients
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=30)


@contextmanager
def person_at_the_window(sandbox, totp: Secret | None = None):
    """While `provisioner login` watches its window, act in it as the admin would: type the user name and
    password, press Log in, then type the authenticator app's code if the site asks. Done in the
    watcher's pauses (Tab.wait), which is when a person acts. Yields the list of what was done."""
    from provisioner.browser import Tab

    done: list[str] = []
    typed: list[str] = []
    real_wait = Tab.wait

    def act_then_wait(tab, seconds):
        page = tab.page
        if not page.is_closed():
            page.wait_for_load_state("load")
            page.wait_for_function(SETTLED, polling=100)
            if "password" not in done and page.locator("#username").count():
                if "core/togglesensitive" in page.content():  # the show-password button replaces the input
                    page.locator(".toggle-sensitive-wrapper #password").wait_for(state="attached")
                page.locator("#username").press_sequentially(sandbox.admin_user)
                page.locator("#password").press_sequentially(sandbox.admin_password.reveal())
                with page.expect_navigation():
                    page.locator("#loginbtn").click()
                done.append("password")
            elif totp is not None and page.locator("form input[name=factor]:not([value=totp])").count():
                with page.expect_navigation():  # "Use Authenticator application" (5.0 asks for e-mail first)
                    page.locator("form:has(input[name=factorname][value=totp]) [type=submit]").click()
            elif totp is not None and page.locator("#id_verificationcode").count():
                code = totp_code(totp)
                if code not in typed:  # a code refused as just used: a person waits for the next one
                    typed.append(code)
                    field = page.locator("#id_verificationcode")
                    field.fill("")  # after a refused code the field still holds it
                    with page.expect_navigation():  # tool_mfa sends the form itself at the sixth digit
                        field.press_sequentially(code)
                    if "totp" not in done:
                        done.append("totp")
        return real_wait(tab, seconds)

    Tab.wait = act_then_wait
    try:
        yield done
    finally:
        Tab.wait = real_wait
