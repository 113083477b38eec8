"""Moodle's two-list user selector (authorised users, site administrators): read, search, pick.

Options carry the user id as their value; their labels ("Name (identity fields)") depend on the site's
settings and language, so users are matched by id only. A list with more users than it may show (100 by
default) shows none, only a placeholder: then it is searched by name rather than read as empty.
"""
from __future__ import annotations

from dataclasses import dataclass

from provisioner.browser import PlaywrightTimeout
from provisioner.pages.html import Document
from provisioner.pages.site import MoodleSite, squash


_SELECTOR_READY = "name => !!(window.M && M.core_user && M.core_user.get_user_selector && " \
                  "M.core_user.get_user_selector(name))"
_SEARCH_APPLIED = "name => Object.keys(M.core_user.get_user_selector(name).iotransactions || {}).length === 0"


@dataclass(frozen=True)
class SelectorUser:
    id: int
    label: str  # "Firstname Lastname (identity fields)", for messages only


class UserSelector:
    """`#region-main select#<name>` plus its live search box."""

    def __init__(self, site: MoodleSite, name: str):
        self.site, self.name = site, name
        self.select_css = f"#region-main select#{name}"

    def users(self) -> list[SelectorUser]:
        options = self.site.page.locator(f"{self.select_css} option")
        found = []
        for value, label in options.evaluate_all("os => os.map(o => [o.value, o.textContent])"):
            if value.isdigit():
                found.append(SelectorUser(int(value), squash(label)))
        return found

    def holds(self, doc: Document, user_id: int, name: str) -> bool:
        """`contains`, read from a page that was only read; the browser opens it only to search a list that
        shows its placeholder instead of users."""
        options = doc.all(f"{self.select_css} option")
        listed = {int(o.get("value")) for o in options if (o.get("value") or "").isdigit()}
        if user_id in listed:
            return True
        if not any(o.get("disabled") is not None for o in options):
            return False
        # An empty list shows one placeholder group ("None"); one too long to show, two ("Too many users",
        # "Please use the search"); a list narrowed by an earlier search keeps its text in the search box.
        if not listed and len(doc.all(f"{self.select_css} optgroup")) == 1 \
                and not doc.value(f"#region-main #{self.name}_searchtext"):
            return False
        self.site.show(doc)
        return self.contains(user_id, name)

    def contains(self, user_id: int, name: str) -> bool:
        """Whether the list holds the user; a list showing only its placeholder ("none", or "too many to
        show" on a large site) is searched for the user's name before saying no."""
        if user_id in {u.id for u in self.users()}:
            return True
        if self.site.page.locator(f"{self.select_css} option[disabled]").count() == 0:
            return False
        return user_id in {u.id for u in self.search(name)}

    def search(self, text: str) -> list[SelectorUser]:
        """Type into the search box and wait for the selector's own AJAX answer, then read the options.
        What must be ready is the selector's own script (it searches on keyup), not the whole page's."""
        page = self.site.page
        self.site.edit(wait_for_scripts=False)
        self.site.wait_until(_SELECTOR_READY, self.name)
        box = page.locator(f"#region-main #{self.name}_searchtext")
        try:
            with page.expect_response(lambda r: "/user/selector/search.php" in r.url, timeout=15_000):
                box.fill(text)
                box.press("End")  # the selector searches on keyup
        except PlaywrightTimeout:
            pass  # the text did not change the query (e.g. typed the same twice): options are current
        # The answer is applied by a later task than its arrival; on a busy machine 50 ms were not enough
        # (measured: a user missed under two parallel test workers). The selector's own bookkeeping says
        # when: it forgets the request, then fills the list, in the same call.
        self.site.wait_until(_SEARCH_APPLIED, self.name)
        return self.users()

    def select(self, user_id: int) -> None:
        """Pick the user; the Add or Remove button then posts the plain form."""
        self.site.edit(wait_for_scripts=False)
        self.site.page.select_option(self.select_css, str(user_id))
