"""Who holds a role at system level (admin/roles/assign.php?contextid=1&roleid=N): read, assign, unassign.

Site administration > Users > Permissions > Assign system roles. The page is the two-list user selector of
the authorised-users and site-administrators pages: current holders on the left (`removeselect`), candidates
on the right (`addselect`), matched by user id (user_selector.py).
"""
from __future__ import annotations

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite
from provisioner.pages.user_selector import UserSelector

SYSTEM_CONTEXT_ID = 1  # the system context is the first context Moodle's installer creates
_MAIN = "#region-main"


class SystemRoleAssignPage:
    PATH = "{admin}/roles/assign.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def _open(self, role_id: int) -> None:
        self.site.goto(self.PATH, contextid=SYSTEM_CONTEXT_ID, roleid=role_id)
        if self.site.page.locator(f"{_MAIN} select#removeselect").count() == 0:
            raise StepError(f"the page assigning role id {role_id} at system level shows no list of holders "
                            "(is the role allowed in the System context?)", url=self.site.page.url)

    def holds(self, role_id: int, user_id: int, name: str) -> bool:
        doc = self.site.read(self.PATH, contextid=SYSTEM_CONTEXT_ID, roleid=role_id)
        if doc.count(f"{_MAIN} select#removeselect") == 0:
            raise StepError(f"the page assigning role id {role_id} at system level shows no list of holders "
                            "(is the role allowed in the System context?)", url=doc.url)
        return UserSelector(self.site, "removeselect").holds(doc, user_id, name)

    def assign(self, role_id: int, user_id: int, name: str) -> None:
        """Search the candidates by name (selectors do not search usernames), pick the user by id, Add."""
        self._open(role_id)
        candidates = UserSelector(self.site, "addselect")
        if user_id not in {u.id for u in candidates.search(name)}:
            raise StepError(f"the search for '{name}' did not offer the user (id {user_id}) among those who "
                            "can be given the role", url=self.site.page.url)
        candidates.select(user_id)
        self.site.submit(f"{_MAIN} input#add")

    def unassign(self, role_id: int, user_id: int, name: str) -> None:
        self._open(role_id)
        holders = UserSelector(self.site, "removeselect")
        if not holders.contains(user_id, name):
            raise StepError(f"user id {user_id} does not hold role id {role_id} at system level",
                            url=self.site.page.url)
        holders.select(user_id)
        self.site.submit(f"{_MAIN} input#remove")
