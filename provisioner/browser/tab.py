"""A browser tab that opens when first needed, and what was fetched through it."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from provisioner.network import Network
from provisioner.secrets import Secret


@dataclass
class Fetched:
    url: str      # where the redirects ended
    status: int
    text: str


class Tab:
    """A browser tab that opens when it is first needed, plus what the run wants to know about it (page loads,
    for the report). Until then pages are read through a bare HTTP client of Playwright's driver holding the
    same cookies (`fetch`, `post_form`): a run that only reads never starts Chromium. Once the tab is open,
    its context's own HTTP client reads, with the browser's cookies."""

    def __init__(self, timeout_ms: float = 60_000, request=None, open_page: Callable[[], Page] | None = None,
                 network: Network | None = None):
        self.timeout_ms = timeout_ms
        self.network = network or Network()  # how the site is reached: said when it cannot be
        self.page_loads = 0  # pages the browser loaded (rendered, scripts run)
        self.pages_read = 0  # requests sent without rendering: pages read as HTML, forms and AJAX posted
        self._request = request        # the bare client, None when the tab was opened at once
        self._open_page = open_page
        self._page: Page | None = None

    @property
    def page(self) -> Page:
        if self._page is None:
            self._page = self._open_page()
        return self._page

    @property
    def opened(self) -> bool:
        return self._page is not None

    def _client(self):
        return self._page.context.request if self._page is not None else self._request

    def screenshot(self, path: Path, mask_selectors: list[str]) -> str | None:
        """Full-page screenshot with secret-bearing elements painted over; None if the page is gone."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            masks = [self.page.locator(sel) for sel in mask_selectors]
            self.page.screenshot(path=str(path), full_page=True, mask=masks, timeout=10_000)
            return str(path)
        except PlaywrightError:
            return None

    def fetch(self, url: str, referer: str | None = None) -> Fetched:
        """GET a page with the tab's cookies through the context's own HTTP client, redirects followed: its
        HTML only, nothing rendered, no scripts run, no assets fetched, the tab itself untouched."""
        self.pages_read += 1
        return _fetched(self._client().get(url, timeout=self.timeout_ms,
                                           headers={"Referer": referer} if referer else None))

    def post_json(self, url: str, body: str) -> Fetched:
        """POST a JSON body with the tab's cookies through the context's own HTTP client (the calls Moodle's
        own page scripts make to lib/ajax), the tab untouched."""
        self.pages_read += 1
        return _fetched(self._client().post(url, data=body, timeout=self.timeout_ms,
                                            headers={"Content-Type": "application/json"}))

    def post_form(self, url: str, fields: list[tuple[str, str]]) -> Fetched:
        """POST a form's fields as the browser would (urlencoded), redirects followed, the tab untouched."""
        self.pages_read += 1
        return _fetched(self._client().post(url, data=urlencode(fields), timeout=self.timeout_ms,
                                            headers={"Content-Type": "application/x-www-form-urlencoded"}))

    def status_of(self, url: str) -> int | None:
        """HTTP status of a GET with the tab's cookies, redirects not followed, the tab itself untouched:
        how `provisioner login` watches for the admin without disturbing the person signing in."""
        try:
            response = self.page.context.request.get(url, max_redirects=0, timeout=self.timeout_ms)
        except PlaywrightError:
            return None
        try:
            return response.status
        finally:
            response.dispose()

    def wait(self, seconds: float) -> bool:
        """Let the person at the window act for a while; False once they closed it."""
        if self.page.is_closed():
            return False
        try:
            self.page.wait_for_timeout(seconds * 1000)
        except PlaywrightError:  # closed while waiting
            return False
        return not self.page.is_closed()

    def session_state(self, host: str) -> Secret:
        """The context's cookies for `host`, as Playwright storage state (JSON). Moodle's session lives in
        its cookie; local storage only caches strings and templates, and an identity provider's cookies
        from a single sign-on would outlive their use: both are left out."""
        cookies = [c for c in self.page.context.cookies() if _within(host, c.get("domain", "").lstrip("."))]
        for cookie in cookies:
            Secret(cookie.get("value", ""))  # registered: redact() scrubs the values from any output
        return Secret(json.dumps({"cookies": cookies, "origins": []}))


def _fetched(response) -> Fetched:
    """What an HTTP answer said, its body read and released."""
    try:
        return Fetched(response.url, response.status, response.text())
    finally:
        response.dispose()


def _within(host: str, domain: str) -> bool:
    """A cookie for `domain` is sent to `host` (Moodle's $CFG->sessioncookiedomain may be a parent)."""
    return bool(domain) and (host == domain or host.endswith("." + domain))
