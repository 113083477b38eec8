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
        self.site.goto(self.PATH, id=service_id)
        rows = self.site.page.locator("table.generaltable tbody tr")
        found = []
        for i in range(rows.count()):
            row = rows.nth(i)
            name = squash(row.locator("td").first.inner_text())
            if row.locator("a[href*='action=delete']").count() and name:
                found.append(name)
        return found

    def add(self, service_id: int, names: list[str]) -> None:
        """Pick each function in the autocomplete by its name, as a person would, then save."""
        self.site.goto(self.PATH, id=service_id)
        page = self.site.page
        link = page.locator("a[href*='action=add']")
        if link.count() == 0:
            raise StepError("no 'Add functions' link: is this a built-in service?", url=page.url)
        self.site.submit(link)
        available = dict(
            (label.split(":", 1)[0].strip(), value)
            for value, label in page.locator("select#id_fids option").evaluate_all(
                "os => os.map(o => [o.value, o.textContent])") if value
        )
        unknown = [n for n in names if n not in available]
        if unknown:
            raise StepError("this Moodle offers no function named " + ", ".join(unknown), url=page.url)
        self.site.edit()
        # The enhanced autocomplete hides the <select>; selecting the options directly is what its JS does.
        page.select_option("select#id_fids", [available[n] for n in names], force=True)
        self.site.submit("#id_submitbutton")
        if "action=add" in page.url or page.locator("#id_fids").count():
            raise StepError("Moodle did not add the functions", url=page.url,
                            moodle_message=self.site.form_errors() or None)

    def remove(self, service_id: int, name: str) -> None:
        """Click the function's Remove link and confirm, as an admin would."""
        self.site.goto(self.PATH, id=service_id)
        row = self.site.page.locator("table.generaltable tbody tr", has_text=name)
        self.site.submit(row.locator("a[href*='action=delete']"))
        self.site.confirm()
