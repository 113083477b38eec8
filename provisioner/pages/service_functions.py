"""A service's functions: the list (admin/webservice/service_functions.php?id=N) and its add form."""
from __future__ import annotations


from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite, squash


class ServiceFunctionsPage:
    PATH = "{admin}/webservice/service_functions.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def functions(self, service_id: int) -> list[str]:
        """The names of the functions the service holds."""
        doc = self.site.read(self.PATH, id=service_id)
        return [name for name, remove in ((doc.text("td", row), doc.first("a[href*='action=delete']", row))
                                          for row in doc.all("#region-main table.generaltable tbody tr"))
                if name and remove is not None]

    def _remove_links(self, service_id: int) -> dict:
        """Function name (the first cell: a name, in every language) → its row's Remove link."""
        self.site.goto(self.PATH, id=service_id)
        rows = self.site.page.locator("#region-main table.generaltable tbody tr")
        found = {}
        for i in range(rows.count()):
            row = rows.nth(i)
            name = squash(row.locator("td").first.inner_text())
            remove = row.locator("a[href*='action=delete']")
            if remove.count() and name:
                found[name] = remove.first
        return found

    def add(self, service_id: int, names: list[str]) -> None:
        """Pick each function in the autocomplete by its name, as a person would, then save."""
        self.site.goto(self.PATH, id=service_id)
        page = self.site.page
        link = page.locator("#region-main a[href*='service_functions.php'][href*='action=add']")
        if link.count() == 0:
            raise StepError("no 'Add functions' link: is this a built-in service?", url=page.url)
        self.site.edit(wait_for_scripts=False)  # a plain link
        self.site.submit(link)
        available = dict(
            (label.split(":", 1)[0].strip(), value)
            for value, label in page.locator("select#id_fids option").evaluate_all(
                "os => os.map(o => [o.value, o.textContent])") if value
        )
        unknown = [n for n in names if n not in available]
        if unknown:
            raise StepError("this Moodle offers no function named " + ", ".join(unknown), url=page.url)
        # The enhanced autocomplete hides the <select>; selecting the options directly is what its JS does, and
        # the form posts the <select> whether or not the autocomplete has been drawn yet.
        self.site.edit(wait_for_scripts=False)
        page.select_option("select#id_fids", [available[n] for n in names], force=True)
        self.site.submit("#id_submitbutton")
        if "action=add" in page.url or page.locator("#id_fids").count():
            raise StepError("Moodle did not add the functions", url=page.url,
                            moodle_message=self.site.form_errors() or None)

    def remove(self, service_id: int, name: str) -> None:
        """Click the function's Remove link and confirm, as an admin would."""
        remove = self._remove_links(service_id).get(name)
        if remove is None:
            raise StepError(f"the service holds no function '{name}' to remove", url=self.site.page.url)
        self.site.submit(remove)
        self.site.confirm()
