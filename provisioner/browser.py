"""The only module that imports Playwright: launching Chromium and the tab the pages layer drives.

Playwright's own Chromium is the default where it was installed (`playwright install chromium`); where it
cannot be (no internet), a system Chromium is used: `--browser-path`, PLAYWRIGHT_CHROMIUM_EXECUTABLE, or
/usr/bin/chromium as a last resort.
"""
from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from provisioner.errors import ProvisionerError

__all__ = ["BrowserOptions", "Tab", "open_tab", "Locator", "PlaywrightError", "PlaywrightTimeout"]

SYSTEM_CHROMIUMS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Without these, Chromium on a closed network keeps trying Google's hosts; as root it needs --no-sandbox.
_MEDIA = re.compile(r"/(theme/image\.php|theme/font\.php|pluginfile\.php)/|\.(png|jpe?g|gif|svg|woff2?|ttf)(\?|$)")
QUIET_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", "--disable-gpu", "--disable-quic"]


@dataclass
class BrowserOptions:
    executable_path: str | None = None
    headed: bool = False
    timeout_s: float = 60.0  # generous: the first pages of a freshly installed site build caches


@dataclass
class Tab:
    """A Playwright page plus what the run wants to know about it (page loads, for the report)."""

    page: Page
    page_loads: int = 0
    timeout_ms: float = 60_000

    def screenshot(self, path: Path, mask_selectors: list[str]) -> str | None:
        """Full-page screenshot with secret-bearing elements painted over; None if the page is gone."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            masks = [self.page.locator(sel) for sel in mask_selectors]
            self.page.screenshot(path=str(path), full_page=True, mask=masks, timeout=10_000)
            return str(path)
        except PlaywrightError:
            return None


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


@contextmanager
def open_tab(options: BrowserOptions):
    with sync_playwright() as playwright:
        args = list(QUIET_ARGS)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")
        try:
            browser = playwright.chromium.launch(executable_path=_executable(options, playwright),
                                                 headless=not options.headed, args=args)
        except PlaywrightError as exc:
            raise ProvisionerError(f"could not start Chromium: {str(exc).splitlines()[0]}") from None
        try:
            # A fresh context: no stored cookies or passwords outlive the run; no trace is recorded.
            context = browser.new_context(ignore_https_errors=False, locale="en-GB")
            # Images and fonts carry nothing the steps read; skipping them makes each admin page cheaper.
            context.route(_MEDIA, lambda route: route.abort())
            page = context.new_page()
            tab = Tab(page=page, timeout_ms=options.timeout_s * 1000)
            page.set_default_timeout(tab.timeout_ms)
            page.set_default_navigation_timeout(tab.timeout_ms)

            def count(frame):
                if frame == page.main_frame:
                    tab.page_loads += 1
            page.on("framenavigated", count)
            yield tab
        finally:
            browser.close()
