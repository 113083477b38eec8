"""Site administrators (admin/roles/admins.php).

4.1's selectors are single-select and its confirmation posts `confirmadd`; 4.5+ use multi-selects and post
`addusers`. Selecting one option and pressing the buttons works the same way in both. Where config.php defines
$CFG->siteadmins, 4.5+ show the list without the candidates selector; 4.1 shows both, and saves a change that
the forced list then overrides.
"""
from __future__ import annotations

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite
from provisioner.pages.user_selector import UserSelector

_MAIN = "#region-main"


class SiteAdminsPage:
    PATH = "{admin}/roles/admins.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def is_admin(self, user_id: int | None, name: str) -> tuple[bool, bool]:
        """(whether the user is a site administrator, whether the list can be changed here)."""
        doc = self.site.read(self.PATH)
        if doc.count(f"{_MAIN} select#removeselect") == 0:
            raise StepError("the site administrators page shows no list of administrators", url=doc.url)
        editable = doc.count(f"{_MAIN} select#addselect") > 0
        admin = user_id is not None and UserSelector(self.site, "removeselect").holds(doc, user_id, name)
        return admin, editable

    def add(self, user_id: int, search: str) -> bool:
        """Find the user among the candidates (by name: the search does not look at usernames), add them,
        confirm; returns whether Moodle then lists them as an administrator."""
        self.site.goto(self.PATH)
        candidates = UserSelector(self.site, "addselect")
        if user_id not in {u.id for u in candidates.search(search)}:
            raise StepError(f"the search for '{search}' did not offer the user (id {user_id}) among those who "
                            "can be made administrators", url=self.site.page.url)
        candidates.select(user_id)
        self.site.submit(f"{_MAIN} input#add")
        self.site.confirm()
        return UserSelector(self.site, "removeselect").contains(user_id, search)

    def remove(self, user_id: int, name: str = "") -> bool:
        """Select the user among the administrators, remove, confirm; returns whether Moodle then no longer
        lists them (4.1 saves a change that a list forced in config.php overrides)."""
        self.site.goto(self.PATH)
        current = UserSelector(self.site, "removeselect")
        if name and not current.contains(user_id, name):
            return True
        if self.site.page.locator(f"{_MAIN} input#remove").count() == 0:
            return False  # 4.5+: the list is defined in config.php and shown read-only
        current.select(user_id)
        self.site.submit(f"{_MAIN} input#remove")
        self.site.confirm()
        return not UserSelector(self.site, "removeselect").contains(user_id, name)
