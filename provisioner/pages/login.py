"""Becoming the admin (login form, MFA, a saved session), and checking the account is a site administrator."""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

from provisioner.browser import PlaywrightError, PlaywrightTimeout
from provisioner.errors import HttpStatusError, StepError
from provisioner.pages.mfa import MfaPage
from provisioner.pages.site import MoodleSite, is_moodle_page, squash
from provisioner.secrets import Secret
from provisioner.session_file import SavedSession
from provisioner.totp import Totp

_LOGIN_ERROR = "#loginerrormessage, .loginerrors, .alert-danger"  # what the login page says went wrong


class LoginPage:
    PATH = "login/index.php"
    CHANGE_PASSWORD = "login/change_password.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def login(self, username: str, password: Secret, totp: Totp | None = None,
              landing: str = "{admin}/environment.php") -> None:
        """Log in with Moodle's own form, then answer MFA's TOTP factor if the site asks for one.

        The form is asked for with loginredirect=0: Moodle's bypass of $CFG->alternateloginurl, so a manual
        admin account still works where the login page sends people to single sign-on. It is asked for as
        if coming from `landing`: Moodle remembers that page and goes straight there after login, which
        saves loading the (heavy) dashboard.

        Where the browser is not open yet, the form is read and posted without it (the fields a browser would
        post): signing in changes nothing on the site, and a run that only reads then never starts Chromium.
        MFA's page is answered in the browser."""
        if not self.site.tab.opened:
            return self._login_unrendered(username, password, totp, landing)
        site, page = self.site, self.site.page
        site.goto(self.PATH, anonymous=True, referer=site.url(landing), loginredirect=0)
        if page.locator("#username").count() == 0:
            raise _no_login_form(site, page.url, page.content())
        landing_admin, site.admin_dir = site.admin_dir, self._admin_dir() or site.admin_dir  # a renamed admin folder
        site.edit()
        self._wait_for_password_field()
        page.fill("#username", username)
        page.fill("#password", password.reveal())
        try:
            site.submit("#loginbtn", anonymous=True)
        except StepError as refused:
            self._raise_unless_landing_misnamed(refused, landing_admin)
            return  # past the login form: the admin pages are read next, in the right folder
        self._raise_unless_past_login(page.url, self._login_error)
        if MfaPage(site).is_here():
            MfaPage(site).pass_with(totp)

    def _raise_unless_landing_misnamed(self, refused: StepError, landing_admin: str) -> None:
        """The admin page Moodle returned to after login failed. Where the landing was named before the
        site's renamed admin folder was known, that says nothing: the admin pages are read next, in the
        right folder. Otherwise an HTTP error is said as it is, and Moodle's own error page means the
        account may not open admin pages."""
        if landing_admin != self.site.admin_dir:
            return
        if isinstance(refused, HttpStatusError):
            raise refused
        raise StepError("this account is not a site administrator", url=refused.url,
                        moodle_message=refused.moodle_message) from None

    def _raise_unless_past_login(self, url: str, login_error: Callable[[], str | None]) -> None:
        """Where the login form's post landed, rendered or not: a forced password change, or the form again."""
        path = self.site.path_of(url)
        if path.startswith(self.CHANGE_PASSWORD):
            raise StepError("the admin account must change its password before anything else: log in to the "
                            "site in a browser, change it, and run again with the new one", url=url)
        if path.startswith("login/"):
            raise StepError("the admin could not log in: wrong user name or password?", url=url,
                            moodle_message=login_error())

    def _login_unrendered(self, username: str, password: Secret, totp: Totp | None, landing: str) -> None:
        site = self.site
        doc = site.read(self.PATH, anonymous=True, referer=site.url(landing), loginredirect=0)
        form = doc.first("form:has(#username):has(#password)")
        if form is None:
            raise _no_login_form(site, doc.url, doc.source)
        landing_admin, site.admin_dir = site.admin_dir, _admin_dir_in(doc.source) or site.admin_dir
        fields = [(n, v) for n, v in doc.form_fields(form) if n not in ("username", "password")]
        fields += [("username", username), ("password", password.reveal())]
        action = form.get("action") or doc.url
        try:
            landed = site.post_form(action if site.is_on_site(action) else site.url(self.PATH), fields, anonymous=True)
        except StepError as refused:
            self._raise_unless_landing_misnamed(refused, landing_admin)
            return
        self._raise_unless_past_login(landed.url, lambda: landed.text(_LOGIN_ERROR) or None)
        if MfaPage(site).is_at(landed.url):
            site.show(landed)  # the browser opens, with the session, on the factor's form
            MfaPage(site).pass_with(totp)

    def resume(self, session: SavedSession) -> None:
        """Start from a saved session (the browser holds its cookies): fail clearly if it is over."""
        site = self.site
        site.admin_dir = session.admin_dir
        if not site.tab.opened:
            doc = site.read(EnvironmentPage.PATH, anonymous=True)
            if not self._signed_in_at(doc.url):
                raise _session_over(session, site.base_url, doc.url, doc.text(_LOGIN_ERROR) or None)
            return
        site.goto(EnvironmentPage.PATH, anonymous=True)
        if not self.signed_in_here():
            raise _session_over(session, site.base_url, site.page.url, self._login_error())

    def signed_in_here(self) -> bool:
        """False on a login, single sign-on or MFA page: the browser is not (yet) the signed-in user."""
        return self._signed_in_at(self.site.page.url)

    def _signed_in_at(self, url: str) -> bool:
        """Whether a page at `url` is one only the signed-in user reaches: not a login, SSO or MFA page."""
        return (self.site.is_on_site(url) and not self.site.path_of(url).startswith("login/")
                and not MfaPage(self.site).is_at(url))

    def wait_for_admin(self, seconds: float, landing: str = "{admin}/environment.php") -> None:
        """`provisioner login`: open the login page in the visible window and wait while the person signs
        in however the site allows (password, MFA, single sign-on). The window is only watched: whether
        the admin page opens yet is asked in the background, with the window's cookies."""
        site = self.site
        # No bypass: single sign-on sites send the person to their identity provider, as they expect.
        site.goto(self.PATH, anonymous=True, referer=site.url(landing))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.signed_in_here():
                site.admin_dir = self._admin_dir() or site.admin_dir
                status = site.tab.status_of(site.url(landing))
                if status is not None and not 300 <= status < 400:  # not sent to log in, MFA or a policy
                    return
            if not site.tab.wait(1.0):
                raise StepError("the browser window was closed before the sign-in finished")
        raise StepError(f"nobody finished signing in within {seconds / 60:g} minutes", url=site.page.url)

    def _wait_for_password_field(self) -> None:
        """Moodle 4.3+'s show-password button (core/togglesensitive, on by default) replaces the password
        input once its template has loaded, outside M.util.pending_js: a password filled in before then is
        lost, and Moodle answers "Invalid login". Where the page loads that module, wait for the new input."""
        page = self.site.page
        if "core/togglesensitive" not in page.content():
            return
        try:
            page.locator(".toggle-sensitive-wrapper #password").wait_for(state="attached")
        except PlaywrightTimeout:  # the button never came (its template failed): the first input stays
            pass

    def _login_error(self) -> str | None:
        """What Moodle's login page says went wrong (wrong password, session timed out), if anything."""
        if not self.site.is_on_site(self.site.page.url):
            return None
        message = self.site.page.locator(_LOGIN_ERROR)
        return squash(message.first.inner_text()) if message.count() else None

    def _admin_dir(self) -> str | None:
        """$CFG->admin, which Moodle puts in M.cfg on every page, the login page included."""
        try:
            return self.site.page.evaluate("() => (window.M && M.cfg && M.cfg.admin) || null")
        except PlaywrightError:  # the page is navigating: ask again later
            return None


def _session_over(session: SavedSession, site_url: str, url: str, said: str | None) -> StepError:
    return StepError(f"the saved session ({session.saved_at or 'undated'}) has expired or was logged out: sign "
                     f"in again with `provisioner login --site {site_url}`", url=url, moodle_message=said)


def release_in(option: str) -> str | None:
    """The release in the environment page's first version option: "5.0.6+ (Build: 20260403)". On the newest
    release its environment.xml knows (5.1 in its own tree, and so 5.2 and 5.3), Moodle labels that option
    "5.1 upwards" in the admin's language instead: the version alone is kept."""
    match = re.match(r"\s*(\d+\.\d+\S*(?: \(Build: \d+\))?)", option or "")
    return match.group(1) if match else None


def _no_login_form(site: MoodleSite, url: str, source: str) -> StepError:
    """Why the login page at `url` has no Moodle login form: it is not Moodle's page at all, or the site
    signs people in elsewhere (single sign-on only)."""
    if site.is_on_site(url) and not is_moodle_page(source):
        return StepError(f"{site.base_url} does not answer as a Moodle site (its login page is not Moodle's): give "
                         "the root URL of Moodle, as its wwwroot", url=url)
    return StepError("this site offers no Moodle login form (single sign-on only?): sign in with "
                     f"`provisioner login --site {site.base_url}` and run with --session-file", url=url)


def _admin_dir_in(source: str) -> str | None:
    """$CFG->admin from the M.cfg object Moodle writes into every page, the login page included."""
    match = re.search(r"M\.cfg\s*=\s*", source)
    if not match:
        return None
    try:
        cfg, _ = json.JSONDecoder().raw_decode(source, match.end())
    except ValueError:
        return None
    return cfg.get("admin") if isinstance(cfg, dict) else None


class EnvironmentPage:
    """admin/environment.php: the one admin page that shows the running release in every version."""

    PATH = "{admin}/environment.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def read_release(self) -> str:
        """Opening it also proves the account is a site admin (others are refused)."""
        doc = self.site.read(self.PATH)
        if doc.count("select[name=version]") == 0:
            raise StepError("this account cannot open Site administration: it is not a site administrator",
                            url=doc.url)
        shown = doc.text("select[name=version] option")
        release = release_in(shown)
        if release is None:
            raise StepError(f"could not read the Moodle release from '{shown}'", url=doc.url)
        # In maintenance mode Moodle puts a link to its settings among the page-heading buttons; the Classic
        # theme also links there from its admin tree block on every admin page, so look only in the header.
        if doc.count("#page-header a[href*='section=maintenancemode']"):
            raise StepError("the site is in maintenance mode: turn it off (Site administration > Server > "
                            "Maintenance mode) and run again", url=doc.url)
        return release
