"""Browse list of users (admin/user.php), filtered to exact matches: how a user is found on a site of any size.

Its filters search the username itself (the user selectors elsewhere search only names and the identity
fields a site chose to show), and no site setting makes the page read-only. 4.1 has a plain moodleform of
filters kept in the session (ours: a fresh browser context per run); 4.3+ a report-builder report.
"""
from __future__ import annotations

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite
from provisioner.pages.system_report import REPORT, SystemReport, TextIs, linked_user_id

_LEGACY_IS_EQUAL_TO = "2"  # user_filter_text in 4.1 (the report builder's is 3)


class UsersListPage:
    PATH = "{admin}/user.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def find(self, field: str, value: str) -> list[int]:
        """Ids of the users whose `field` (username or email) is `value`, compared as Moodle does
        (without regard to case)."""
        if field not in ("username", "email"):
            raise ValueError(field)
        doc = self.site.read(self.PATH, form_only=True)  # for its Filters form: the same on every lookup
        report = SystemReport(self.site)
        if doc.count(REPORT):
            found = report.read_unrendered(doc, {f"user:{field}": TextIs(value)}, linked_user_id)
            report.reset_unrendered(doc)
            if found is not None:
                return [i for i in found if i is not None]
            self.site.show(doc)
            report.filter({f"user:{field}": TextIs(value)})
            found = report.read_rows(linked_user_id)
            report.reset_filters()
            return [i for i in found if i is not None]
        self.site.show(doc)
        return self._legacy_find(field, value)

    def delete(self, user_id: int) -> None:
        """What the list's delete icon does (user.php?delete=N with the session key), then Moodle's own
        confirmation; Moodle refuses to delete a site administrator and says so."""
        self.site.goto(self.PATH)
        sesskey = self.site.page.evaluate("() => M.cfg.sesskey")
        self.site.goto(self.PATH, delete=user_id, sesskey=sesskey)
        self.site.confirm()

    def _legacy_find(self, field: str, value: str) -> list[int]:
        page = self.site.page
        if page.locator("#region-main input[name=removeall]").count():  # an earlier lookup's filter
            self.site.submit("#region-main input[name=removeall]")
        form = page.locator("#region-main form:has(input[name=_qf__user_add_filter_form])")
        if form.count() == 0:
            raise StepError("the user list has no filter form", url=page.url)
        self.site.edit()
        more = form.locator("a.moreless-toggler")
        if more.count() and not form.locator(f"#id_{field}").is_visible():
            more.first.click()  # username is among the filters shown only after "Show more..."
        form.locator(f"#id_{field}_op").select_option(_LEGACY_IS_EQUAL_TO)
        form.locator(f"#id_{field}").fill(value)
        self.site.submit(form.locator("input[name=addfilter]"))
        rows = page.locator("#region-main table#users tbody tr")
        return [i for i in (linked_user_id(rows.nth(n)) for n in range(rows.count())) if i is not None]
