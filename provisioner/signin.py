"""Becoming the site's admin: for a run (password, MFA's TOTP, or a saved session), and for
`provisioner login`, which lets a person sign in however the site allows and saves that session.

Either way admin/environment.php is opened last: only site administrators can open it, so it proves the
account, and it tells the release. Nothing on the site is changed.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from provisioner import session_file
from provisioner.browser import BrowserOptions, open_tab
from provisioner.errors import StepError
from provisioner.pages.login import EnvironmentPage, LoginPage
from provisioner.pages.site import MoodleSite
from provisioner.secrets import Secret
from provisioner.session_file import SavedSession
from provisioner.totp import Totp


def browser_for(options: BrowserOptions, session: SavedSession | None) -> BrowserOptions:
    """The browser a run needs: starting from the saved session's cookies when it has one."""
    return replace(options, storage_state=session.state) if session is not None else options


def sign_in(site: MoodleSite, user: str, password: Secret | None, totp: Totp | None = None,
            session: SavedSession | None = None) -> None:
    """Raises StepError (with a screenshot) before any step runs when the admin cannot get in."""
    login = LoginPage(site)
    try:
        if session is not None:
            login.resume(session)
        else:
            login.login(user, password, totp)
        site.release = EnvironmentPage(site).read_release()
    except StepError as exc:
        exc.screenshot = site.evidence("login", exc)
        raise


def save_session(site_url: str, path: Path, options: BrowserOptions, wait_s: float) -> tuple[SavedSession, str]:
    """Open a visible window at the login page, wait for a signed-in site administrator, save the
    site's cookies to `path` (0600) and close. Returns the session and the site's release."""
    visible = replace(options, headed=True, storage_state=None)
    with open_tab(visible, site_url=site_url) as tab:
        # No artifacts folder: no screenshot is taken of a person's sign-in.
        site = MoodleSite(tab, site_url)
        LoginPage(site).wait_for_admin(wait_s)
        release = EnvironmentPage(site).read_release()
        state = tab.session_state(urlsplit(site_url).hostname or "")
    session = SavedSession(site_url, site.admin_dir, state, session_file.now())
    session_file.write(path, session)
    return session, release
