"""Roles: the list (Site administration > Users > Define roles, admin/roles/manage.php) and deleting a role.

A role is identified by its short name: the list shows it as typed, in every language, while a role's name
is translated for the standard roles. The list is short on every site (roles, not users), so it is read whole.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite, squash


@dataclass(frozen=True)
class ListedRole:
    id: int
    shortname: str
    name: str  # as the list shows it: translated for standard roles, as typed for custom ones


class RolesListPage:
    PATH = "{admin}/roles/manage.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def roles(self) -> list[ListedRole]:
        """Every role: the first cell links to its definition (roleid=N), the third holds its short name."""
        doc = self.site.read(self.PATH)
        found = []
        for row in doc.all("#region-main table#roles tr"):
            link, cells = doc.first("a[href*='define.php'][href*='action=view']", row), row.xpath("./td|./th")
            role_id = _role_id(link.get("href")) if link is not None and len(cells) > 2 else None
            if role_id is not None:
                found.append(ListedRole(role_id, squash(cells[2].text_content()), squash(link.text_content())))
        if not found:
            raise StepError("the list of roles shows no roles", url=doc.url)
        return found

    def find(self, shortname: str) -> ListedRole | None:
        return next((r for r in self.roles() if r.shortname == shortname), None)

    def delete(self, role_id: int) -> None:
        """The list's delete icon asks for confirmation; Continue deletes the role and all its assignments."""
        self.site.goto(self.PATH)
        links = self.site.page.locator("#region-main table#roles a[href*='action=delete'][href*='roleid=']")
        hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        index = next((i for i, href in enumerate(hrefs) if _role_id(href) == role_id), None)
        if index is None:
            raise StepError(f"the list of roles offers no way to delete role id {role_id}", url=self.site.page.url)
        self.site.submit(links.nth(index))
        self.site.confirm()
        if any(r.id == role_id for r in self.roles()):
            raise StepError(f"role id {role_id} is still listed after Moodle confirmed its deletion",
                            url=self.site.page.url)


def _role_id(href: str | None) -> int | None:
    match = re.search(r"[?&](?:amp;)?roleid=(\d+)", href or "")
    return int(match.group(1)) if match else None
