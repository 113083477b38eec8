"""The only module that imports Playwright: launching Chromium and the tab the pages layer drives.

Playwright's own Chromium is the default where it was installed (`playwright install chromium`); where it
cannot be (no internet), a system Chromium is used: `--browser-path`, PLAYWRIGHT_CHROMIUM_EXECUTABLE, or
/usr/bin/chromium as a last resort.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from provisioner.errors import ProvisionerError
from provisioner.secrets import Secret

__all__ = ["Browser", "BrowserOptions", "Fetched", "Tab", "open_browser", "open_tab", "Locator", "PlaywrightError",
           "PlaywrightTimeout"]

SYSTEM_CHROMIUMS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Without these, Chromium on a closed network keeps trying Google's hosts; as root it needs --no-sandbox.
QUIET_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", "--disable-gpu", "--disable-quic"]


@dataclass
class BrowserOptions:
    executable_path: str | None = None
    headed: bool = False
    timeout_s: float = 60.0  # generous: the first pages of a freshly installed site build caches
    storage_state: Secret | None = None  # a saved session (Playwright storage state, JSON) to start from
    endpoint: str | None = None  # a Playwright browser server (`playwright run-server`) instead of a local launch


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

    def __init__(self, timeout_ms: float = 60_000, request=None, open_page: Callable[[], Page] | None = None):
        self.timeout_ms = timeout_ms
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


def _executable(options: BrowserOptions, playwright) -> str | None:
    explicit = options.executable_path or os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE")
    if explicit:
        if not Path(explicit).exists():
            raise ProvisionerError(f"browser not found at {explicit}")
        return explicit
    if Path(playwright.chromium.executable_path).exists():
        return None  # Playwright's own build
    for candidate in SYSTEM_CHROMIUMS:
        if shutil.which(candidate):
            return candidate
    raise ProvisionerError("no Chromium found: run `playwright install chromium`, or pass --browser-path "
                           "(or set PLAYWRIGHT_CHROMIUM_EXECUTABLE) to a Chromium/Chrome binary")


class Browser:
    """A launched (or connected) Chromium, reusable for several sites, one fresh context each.

    Playwright's sync API is bound to the thread that started it: a Browser is used only from the thread
    that opened it (a fleet run opens one per worker thread)."""

    def __init__(self, browser, options: BrowserOptions, playwright=None):
        self._browser = browser
        self.options = options
        self.playwright = playwright  # for a tab's bare HTTP client; None: tabs open at once

    @property
    def connected(self) -> bool:
        """False once Chromium crashed or the remote browser server went away: open another before reuse."""
        return self._browser.is_connected()

    @contextmanager
    def page(self, options: BrowserOptions, state: dict | None, tab: Tab):
        # A fresh context: no stored cookies or passwords outlive the site's run (unless a saved session is
        # given to start from, or the tab's bare client already holds the session); no trace is recorded.
        try:
            context = self._browser.new_context(ignore_https_errors=False, locale="en-GB", storage_state=state)
        except PlaywrightError as exc:
            raise ProvisionerError(f"the browser could not open a context: {str(exc).splitlines()[0]}") from None
        # No request routing (e.g. to skip images): Playwright turns the browser's HTTP cache off for a
        # context with routes, and every page would then fetch Moodle's scripts and stylesheets again,
        # through PHP (measured on a fresh run: 355 requests to the server with routing, 178 without).
        try:
            page = context.new_page()
            page.set_default_timeout(tab.timeout_ms)
            page.set_default_navigation_timeout(tab.timeout_ms)

            def count(frame):
                if frame == page.main_frame:
                    tab.page_loads += 1
            page.on("framenavigated", count)
            yield page
        finally:
            with suppress(PlaywrightError):  # already gone with a crashed or disconnected browser
                context.close()


@contextmanager
def open_browser(options: BrowserOptions):
    """Launch Chromium here, or connect to a remote Playwright browser server (`options.endpoint`)."""
    with sync_playwright() as playwright, _launched(playwright, options) as browser:
        yield browser


@contextmanager
def _launched(playwright, options: BrowserOptions):
    """Chromium launched here, or a remote browser server connected to, until the block ends."""
    if options.endpoint:
        try:
            browser = playwright.chromium.connect(options.endpoint, timeout=options.timeout_s * 1000)
        except PlaywrightError as exc:
            # The endpoint is not echoed whole: a grid's URL may carry an access token.
            where = describe_endpoint(options.endpoint)
            said = str(exc).splitlines()[0].replace(options.endpoint, where)
            raise ProvisionerError(f"could not connect to the browser server at {where}: {said}") from None
    else:
        args = list(QUIET_ARGS)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")
        try:
            browser = playwright.chromium.launch(executable_path=_executable(options, playwright),
                                                 headless=not options.headed, args=args)
        except PlaywrightError as exc:
            raise ProvisionerError(f"could not start Chromium: {str(exc).splitlines()[0]}") from None
    try:
        yield Browser(browser, options, playwright)
    finally:
        with suppress(PlaywrightError):
            browser.close()


@contextmanager
def open_tab(options: BrowserOptions, browser: Browser | None = None):
    """A tab in a fresh context: of `browser` if given (it stays open), else of a browser launched for it when
    the tab first shows a page. A window someone watches (headed) opens at once."""
    with ExitStack() as stack:
        playwright = stack.enter_context(sync_playwright()) if browser is None else browser.playwright
        state = json.loads(options.storage_state.reveal()) if options.storage_state else None
        request = None
        if playwright is not None and not options.headed:
            request = playwright.request.new_context(storage_state=state, timeout=options.timeout_s * 1000)
            stack.callback(_dispose, request)
        tab = Tab(timeout_ms=options.timeout_s * 1000, request=request)

        def open_page() -> Page:
            own = browser or stack.enter_context(_launched(playwright, options))
            return stack.enter_context(own.page(options, request.storage_state() if request else state, tab))
        tab._open_page = open_page
        if request is None:
            tab.page  # noqa: B018  (opened now)
        yield tab


def _dispose(request) -> None:
    with suppress(PlaywrightError):
        request.dispose()


def describe_endpoint(endpoint: str) -> str:
    """scheme://host:port of a browser server, without the path and query that may hold a credential."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}" if parts.netloc else "(not a URL)"
