"""Launching Chromium (or connecting to a remote browser server) and opening a tab in a fresh context.

Playwright's own Chromium is the default where it was installed (`playwright install chromium`); where it
cannot be (no internet), a system Chromium is used: `--browser-path`, PLAYWRIGHT_CHROMIUM_EXECUTABLE, or
/usr/bin/chromium as a last resort.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from provisioner.browser.tab import Tab
from provisioner.browser.trust import chromium_env, driver, site_network
from provisioner.errors import ProvisionerError
from provisioner.network import Network
from provisioner.secrets import Secret

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
    network: Network = Network()  # CAs to trust, proxy, basic auth (a remote browser server brings its own CAs)



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
    def page(self, options: BrowserOptions, state: dict | None, tab: Tab, site_url: str | None = None):
        # A fresh context: no stored cookies or passwords outlive the site's run (unless a saved session is
        # given to start from, or the tab's bare client already holds the session); no trace is recorded.
        try:
            context = self._browser.new_context(ignore_https_errors=False, locale="en-GB", storage_state=state,
                                                **site_network(options.network, site_url))
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
    with driver(options.network) as playwright, _launched(playwright, options) as browser:
        yield browser



@contextmanager
def _launched(playwright, options: BrowserOptions):
    """Chromium launched here, or a remote browser server connected to, until the block ends."""
    with ExitStack() as stack:
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
            env = None
            if options.network.trusts_more:  # a HOME of its own, holding the CAs it trusts; gone at the end
                home = stack.enter_context(tempfile.TemporaryDirectory(prefix="provisioner-chromium-"))
                env = chromium_env(options.network, home)
            try:
                # No proxy at launch: each context sets its site's own (Linux's Chromium needs none globally).
                browser = playwright.chromium.launch(executable_path=_executable(options, playwright),
                                                     headless=not options.headed, args=args, env=env)
            except PlaywrightError as exc:
                raise ProvisionerError(f"could not start Chromium: {str(exc).splitlines()[0]}") from None
        try:
            yield Browser(browser, options, playwright)
        finally:
            with suppress(PlaywrightError):
                browser.close()


@contextmanager
def open_tab(options: BrowserOptions, browser: Browser | None = None, site_url: str | None = None):
    """A tab in a fresh context for the site at `site_url` (its proxy and basic authentication): of `browser`
    if given (it stays open), else of a browser launched for it when the tab first shows a page. A window
    someone watches (headed) opens at once."""
    with ExitStack() as stack:
        playwright = stack.enter_context(driver(options.network)) if browser is None else browser.playwright
        state = json.loads(options.storage_state.reveal()) if options.storage_state else None
        request = None
        if playwright is not None and not options.headed:
            request = playwright.request.new_context(storage_state=state, timeout=options.timeout_s * 1000,
                                                     **site_network(options.network, site_url))
            stack.callback(_dispose, request)
        tab = Tab(timeout_ms=options.timeout_s * 1000, request=request, network=options.network)

        def open_page() -> Page:
            own = browser or stack.enter_context(_launched(playwright, options))
            return stack.enter_context(own.page(options, request.storage_state() if request else state, tab,
                                                site_url))
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
