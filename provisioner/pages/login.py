"""Logging in as the admin, and checking the account really is a site administrator."""
from __future__ import annotations

import re

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite, squash
from provisioner.secrets import Secret


class LoginPage:
    PATH = "login/index.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def login(self, username: str, password: Secret, landing: str = "{admin}/environment.php") -> None:
        """Log in by asking for `landing` first: Moodle remembers it and goes straight there afterwards,
        which saves loading the (heavy) dashboard."""
        site, page = self.site, self.site.page
        site.goto(landing, anonymous=True)
        if page.locator("#username").count() == 0:
            # A renamed admin folder answers 404 here; the login page itself always works.
            site.goto(self.PATH, anonymous=True)
        if page.locator("#username").count() == 0:
            raise StepError("this does not look like a Moodle login page (no username field)", url=page.url)
        site.edit()  # 4.5: filling the form before Moodle's JS is ready sends you back to the login page
        page.fill("#username", username)
        page.fill("#password", password.reveal())
        try:
            site.submit("#loginbtn", anonymous=True)
        except StepError as refused:  # logged in, but the landing admin page refused this account
            raise StepError("this account is not a site administrator", url=refused.url,
                            moodle_message=refused.moodle_message) from None
        if site.path_of(page.url).startswith("login/"):
            message = page.locator("#loginerrormessage, .loginerrors, .alert-danger")
            said = squash(message.first.inner_text()) if message.count() else ""
            raise StepError("the admin could not log in: wrong user name or password?", url=page.url,
                            moodle_message=said or None)
        site.admin_dir = page.evaluate("() => (window.M && M.cfg && M.cfg.admin) || 'admin'")


class EnvironmentPage:
    """admin/environment.php: the one admin page that shows the running release in every version."""

    PATH = "{admin}/environment.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def read_release(self) -> str:
        """Opening it also proves the account is a site admin (others are refused)."""
        self.site.goto(self.PATH)
        page = self.site.page
        if page.locator("select[name=version]").count() == 0:
            raise StepError("this account cannot open Site administration: it is not a site administrator",
                            url=page.url)
        release = squash(page.locator("select[name=version] option").first.inner_text())
        if not re.match(r"\d+\.\d+", release):
            raise StepError(f"could not read the Moodle release from '{release}'", url=page.url)
        # In maintenance mode Moodle puts a link to its settings among the page-heading buttons; the Classic
        # theme also links there from its admin tree block on every admin page, so look only in the header.
        if page.locator("#page-header a[href*='section=maintenancemode']").count():
            raise StepError("the site is in maintenance mode: turn it off (Site administration > Server > "
                            "Maintenance mode) and run again", url=page.url)
        return release
