"""The only package that imports Playwright: launching Chromium (launch), the tab the pages layer drives
(tab), and the way to the site each of Playwright's HTTP stacks takes (trust)."""
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from provisioner.browser.launch import Browser, BrowserOptions, describe_endpoint, open_browser, open_tab
from provisioner.browser.tab import Fetched, Tab

__all__ = ["Browser", "BrowserOptions", "Fetched", "Tab", "open_browser", "open_tab", "describe_endpoint",
           "Locator", "PlaywrightError", "PlaywrightTimeout"]
