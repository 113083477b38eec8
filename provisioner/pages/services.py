"""External services: the list (Site administration > Server > Web services > External services) and the
add/edit form (admin/webservice/service.php)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite


@dataclass
class ServiceState:
    id: int
    name: str
    shortname: str
    enabled: bool
    restricted_users: bool


class ServicesListPage:
    PATH = "{admin}/settings.php"
    SECTION = "externalservices"

    def __init__(self, site: MoodleSite):
        self.site = site

    def custom_services(self) -> list[tuple[int, str]]:
        """(id, name) of every service an admin created; built-in plugin services cannot be edited."""
        doc = self.site.read(self.PATH, section=self.SECTION)
        found = []
        for row in doc.all("table#customservices tbody tr"):
            edit = doc.first("a[href*='service.php?id=']", row)
            if edit is None:
                continue
            match = re.search(r"[?&]id=(\d+)", edit.get("href") or "")
            name = doc.text("td", row)
            if match:
                found.append((int(match.group(1)), name))
        return found


    def delete(self, service_id: int) -> None:
        """The row's Delete link asks for confirmation; Moodle then removes the service with its functions,
        authorised users and tokens."""
        self.site.goto(self.PATH, section=self.SECTION)
        links = self.site.page.locator("table#customservices a[href*='service.php'][href*='action=delete']")
        hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        index = next((i for i, href in enumerate(hrefs)
                      if re.search(rf"[?&](?:amp;)?id={service_id}(?:&|$)", href or "")), None)
        if index is None:
            raise StepError(f"the list of services offers no way to delete service id {service_id}",
                            url=self.site.page.url)
        self.site.submit(links.nth(index))
        self.site.confirm()
        if any(listed == service_id for listed, _ in self.custom_services()):
            raise StepError(f"service id {service_id} is still listed after Moodle confirmed its deletion",
                            url=self.site.page.url)


class ServiceEditPage:
    PATH = "{admin}/webservice/service.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def read(self, service_id: int) -> ServiceState:
        doc = self.site.read(self.PATH, id=service_id)
        if doc.count("#id_name") == 0:
            raise StepError(f"the form of service id {service_id} shows no name field", url=doc.url)
        # The short name is frozen once set: Moodle shows it as text with a hidden input of the same name.
        return ServiceState(
            id=service_id,
            name=doc.value("#id_name"),
            shortname=doc.value("input[name=shortname]"),
            enabled=doc.checked("#id_enabled"),
            restricted_users=doc.checked("#id_restrictedusers"),
        )

    def create(self, name: str, shortname: str, enabled: bool, restricted_users: bool) -> int:
        """Add the service; Moodle then opens its functions page, whose URL carries the new id."""
        self.site.goto(self.PATH, id=0)
        self.site.edit(wait_for_scripts=False)  # a plain form: names and two checkboxes
        page = self.site.page
        page.fill("#id_name", name)
        page.fill("#id_shortname", shortname)
        page.set_checked("#id_enabled", enabled)
        page.set_checked("#id_restrictedusers", restricted_users)
        self.site.submit("#id_submitbutton")
        match = re.search(r"service_functions\.php\?(?:.*&)?id=(\d+)", page.url)
        if not match:
            raise StepError("Moodle did not create the service", url=page.url,
                            moodle_message=self.site.form_errors() or None)
        return int(match.group(1))

    def update(self, service_id: int, name: str, enabled: bool, restricted_users: bool) -> None:
        self.site.goto(self.PATH, id=service_id)
        self.site.edit(wait_for_scripts=False)  # a plain form: names and two checkboxes
        page = self.site.page
        page.fill("#id_name", name)
        page.set_checked("#id_enabled", enabled)
        page.set_checked("#id_restrictedusers", restricted_users)
        self.site.submit("#id_submitbutton")
        if self.site.path_of(page.url).endswith("service.php"):
            raise StepError("Moodle refused to save the service", url=page.url,
                            moodle_message=self.site.form_errors() or None)
