"""Site administrators (admin/roles/admins.php).

4.1's selectors are single-select and its confirmation posts `confirmadd`; 4.5+ use multi-selects and post
`addusers`. Selecting one option and pressing the buttons works the same way in both.
"""
from __future__ import annotations

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite
from provisioner.pages.user_selector import SelectorUser, UserSelector


class SiteAdminsPage:
    PATH = "{admin}/roles/admins.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def open(self) -> None:
        self.site.goto(self.PATH)
        if self.site.page.locator("select#removeselect").count() == 0:
            info = self.site.page.locator(".alert-info")
            said = info.first.inner_text().strip() if info.count() else None
            raise StepError("the list of site administrators cannot be changed here", url=self.site.page.url,
                            moodle_message=said)

    def admins(self) -> list[SelectorUser]:
        self.open()
        return UserSelector(self.site, "removeselect").users()

    def find_by_email(self, email: str) -> SelectorUser | None:
        """Any confirmed local user with this e-mail, admin or not: this page lists every such user on one
        side or the other, and its search box matches e-mail (not the username)."""
        self.open()
        admin = UserSelector(self.site, "removeselect").find_by_email(email)
        if admin:
            return admin
        candidates = UserSelector(self.site, "addselect")
        candidates.search(email)
        return candidates.find_by_email(email)

    def add(self, user_id: int, email: str) -> None:
        self.open()
        candidates = UserSelector(self.site, "addselect")
        if user_id not in {u.id for u in candidates.search(email)}:
            raise StepError("the user is not among the users who can be made administrators",
                            url=self.site.page.url)
        candidates.select(user_id)
        self.site.submit("input#add")
        self.site.confirm()

    def remove(self, user_id: int) -> None:
        self.open()
        UserSelector(self.site, "removeselect").select(user_id)
        self.site.submit("input#remove")
        self.site.confirm()
