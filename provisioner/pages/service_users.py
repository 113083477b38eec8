"""Authorised users of a restricted service (admin/webservice/service_users.php?id=N)."""
from __future__ import annotations

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite
from provisioner.pages.user_selector import SelectorUser, UserSelector


class ServiceUsersPage:
    PATH = "{admin}/webservice/service_users.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def authorised(self, service_id: int) -> list[SelectorUser]:
        self.site.goto(self.PATH, id=service_id)
        return UserSelector(self.site, "removeselect").users()

    def authorise(self, service_id: int, user_id: int, email: str) -> None:
        """Search the candidates for the user's e-mail, select them and press Add."""
        self.site.goto(self.PATH, id=service_id)
        candidates = UserSelector(self.site, "addselect")
        if user_id not in {u.id for u in candidates.search(email)}:
            raise StepError("the user is not among the users that can be authorised", url=self.site.page.url)
        candidates.select(user_id)
        self.site.submit("input#add")
