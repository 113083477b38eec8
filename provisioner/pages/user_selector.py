"""Moodle's two-list user selector (authorised users, site administrators): read, search, pick."""
from __future__ import annotations

import re
from dataclasses import dataclass

from provisioner.browser import PlaywrightTimeout
from provisioner.pages.site import MoodleSite, squash


@dataclass(frozen=True)
class SelectorUser:
    id: int
    label: str  # "Firstname Lastname (email)"

    @property
    def email(self) -> str:
        match = re.search(r"\(([^()]*@[^()]*)\)\s*$", self.label)
        return match.group(1).strip().lower() if match else ""


class UserSelector:
    """`select#<name>` plus, for the candidates list, its live search box."""

    def __init__(self, site: MoodleSite, name: str):
        self.site, self.name = site, name

    def users(self) -> list[SelectorUser]:
        options = self.site.page.locator(f"select#{self.name} option")
        found = []
        for value, label in options.evaluate_all("os => os.map(o => [o.value, o.textContent])"):
            if value.isdigit():
                found.append(SelectorUser(int(value), squash(label)))
        return found

    def search(self, text: str) -> list[SelectorUser]:
        """Type into the search box and wait for the selector's own AJAX answer, then read the options."""
        page = self.site.page
        self.site.edit()
        box = page.locator(f"#{self.name}_searchtext")
        try:
            with page.expect_response(lambda r: "/user/selector/search.php" in r.url, timeout=15_000):
                box.fill(text)
                box.press("End")  # the selector searches on keyup
        except PlaywrightTimeout:
            pass  # the text did not change the query (e.g. typed the same twice): options are current
        page.wait_for_timeout(50)  # the answer is applied to the list right after it arrives
        return self.users()

    def find_by_email(self, email: str) -> SelectorUser | None:
        email = email.lower()
        for user in self.users():
            if user.email == email:
                return user
        return None

    def select(self, user_id: int) -> None:
        self.site.edit()
        self.site.page.select_option(f"select#{self.name}", str(user_id))
