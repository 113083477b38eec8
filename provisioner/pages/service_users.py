"""Authorised users of a restricted service (admin/webservice/service_users.php?id=N)."""
from __future__ import annotations

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite
from provisioner.pages.user_selector import UserSelector


class ServiceUsersPage:
    PATH = "{admin}/webservice/service_users.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def is_authorised(self, service_id: int, user_id: int, name: str) -> bool:
        doc = self.site.read(self.PATH, id=service_id)
        if doc.count("#region-main select#removeselect") == 0:
            raise StepError(f"the authorised users page of service id {service_id} shows no list of users",
                            url=doc.url)
        return UserSelector(self.site, "removeselect").holds(doc, user_id, name)

    def authorise(self, service_id: int, user_id: int, name: str) -> None:
        """Search the candidates for the user's name (selectors do not search usernames), pick them by id
        and press Add."""
        self.site.goto(self.PATH, id=service_id)
        candidates = UserSelector(self.site, "addselect")
        if user_id not in {u.id for u in candidates.search(name)}:
            raise StepError(f"the search for '{name}' did not offer the user (id {user_id}) among those who "
                            "can be authorised", url=self.site.page.url)
        candidates.select(user_id)
        self.site.submit("#region-main input#add")
