"""Web-service tokens (admin/webservice/tokens.php): the list, the create form and deletion.

A real school's list holds a token for every student who uses the Moodle app, so the list is always narrowed
to one service before it is read: 4.1's page takes the service in its URL (`fservices[0]`, as its own pager
links do); 4.5+ list tokens in a report-builder report, filtered by service name through its Filters form.
4.1 shows a token's value to its creator, every time; 4.5+ never list it: the new token is shown once, in
#copytoclipboardtoken, right after it is created. 4.5+ also added a Name field and turned "Valid until" on by
default (now + 30 days).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from provisioner.browser import PlaywrightTimeout
from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite, squash
from provisioner.pages.system_report import (REPORT, AnyOf, Operator, SystemReport, first_href,
                                             linked_user_id)
from provisioner.secrets import Secret

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_NO_EXPIRY = Operator("2")  # report builder's date filter: DATE_EMPTY
MAX_LEGACY_PAGES = 50


@dataclass
class TokenRow:
    id: int
    user_id: int | None
    no_expiry: bool
    value: Secret | None   # only 4.1 shows it, and only to the admin who created it


class TokensPage:
    PATH = "{admin}/webservice/tokens.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def tokens(self, service_id: int, service_name: str) -> list[TokenRow]:
        """Every token of one service, whoever its user, and whether each has no expiry date."""
        doc = self.site.read(self.PATH, form_only=True)  # for its Filters form: the same on every lookup
        report = SystemReport(self.site)
        if doc.count(REPORT) == 0:
            return self._legacy_tokens(service_id)
        found = self._unrendered_tokens(report, doc, service_name)
        if found is not None:
            return found
        self.site.show(doc)
        report.filter({"service:name": AnyOf((service_name,))})
        found = report.read_rows(self._report_row)
        if found:
            # The expiry shows only as a localised date or sentence: ask the report which have none.
            report.filter({"service:name": AnyOf((service_name,)), "token:validuntil": _NO_EXPIRY})
            lasting = {row.id for row in report.read_rows(self._report_row)}
            for row in found:
                row.no_expiry = row.id in lasting
        report.reset_filters()
        return found

    def _unrendered_tokens(self, report: SystemReport, doc, service_name: str) -> list[TokenRow] | None:
        """The same two filters, posted as the Filters form's script posts them; None: use the browser."""
        service = {"service:name": AnyOf((service_name,))}
        found = report.read_unrendered(doc, service, self._report_row)
        if found:
            lasting = report.read_unrendered(doc, {**service, "token:validuntil": _NO_EXPIRY}, self._report_row)
            if lasting is None:
                found = None
            else:
                lasting_ids = {r.id for r in lasting}
                for row in found:
                    row.no_expiry = row.id in lasting_ids
        report.reset_unrendered(doc)
        return found

    def _report_row(self, row) -> TokenRow:
        return TokenRow(_token_id(row), linked_user_id(row), no_expiry=False, value=None)

    def _legacy_tokens(self, service_id: int) -> list[TokenRow]:
        """4.1: Token | User | Service | IP restriction | Valid until (empty: none) | Creator | Delete."""
        page = self.site.page
        found = []
        for number in range(MAX_LEGACY_PAGES):
            self.site.goto(self.PATH, **{"fservices[0]": service_id, **({"page": number} if number else {})})
            rows = page.locator("#region-main table#webservicetokens tbody tr")
            for i in range(rows.count()):
                row = rows.nth(i)
                if row.locator("a[href*='tokenid=']").count() == 0:
                    continue  # an empty table's "Nothing to display" row
                shown = squash(row.locator("td.c0").inner_text())
                found.append(TokenRow(_token_id(row), linked_user_id(row),
                                      no_expiry=squash(row.locator("td.c4").inner_text()) == "",
                                      value=Secret(shown) if _TOKEN.match(shown) else None))
            if page.locator("#region-main .pagination li.page-item.active + li.page-item a[href]").count() == 0:
                return found
        raise StepError(f"this service has more than {MAX_LEGACY_PAGES} pages of tokens", url=page.url)

    def create(self, name: str, user_id: int, user_search: str, service_id: int, service_name: str,
               ip_restriction: str) -> Secret:
        """Fill the form as an admin would (no expiry) and capture the token Moodle shows."""
        self.site.goto(self.PATH, action="create")
        # What needs a script is the user field (an AJAX autocomplete): _pick_user waits for that one.
        self.site.edit(wait_for_scripts=False)
        page = self.site.page
        if page.locator("#id_name").count():
            page.fill("#id_name", name)
        self._pick_user(user_id, user_search)
        page.select_option("#id_service", str(service_id))
        page.fill("#id_iprestriction", ip_restriction)
        page.set_checked("#id_validuntil_enabled", False)
        self.site.submit("#id_submitbutton")
        if page.locator("#id_user").count():  # the form came back: Moodle refused it
            raise StepError("Moodle did not create the token", url=page.url,
                            moodle_message=self.site.form_errors() or None)
        shown = page.locator("#copytoclipboardtoken")
        value = shown.first.inner_text().strip() if shown.count() else self._legacy_value(user_id, service_id)
        if not _TOKEN.match(value or ""):
            raise StepError("Moodle created a token but the page did not show its value", url=page.url)
        return Secret(value)

    def _pick_user(self, user_id: int, search: str) -> None:
        """The user field is an AJAX autocomplete: type (name or e-mail; not the username), pick the match."""
        page = self.site.page
        field = page.locator("#fitem_id_user input[data-fieldtype=autocomplete]")  # drawn by its script
        try:
            field.wait_for(state="visible")
        except PlaywrightTimeout:
            raise StepError("the token form's user field did not get ready", url=page.url) from None
        field.fill(search)
        choice = page.locator(f"#fitem_id_user li[role=option][data-value='{user_id}']")
        try:
            choice.wait_for(state="visible", timeout=20_000)
        except PlaywrightTimeout:
            raise StepError(f"the token form's user search for '{search}' did not offer the user (id {user_id})",
                            url=page.url) from None
        choice.click()
        field.press("Escape")
        self.site.settle()

    def _legacy_value(self, user_id: int, service_id: int) -> str | None:
        """4.1: the newest row for this user and service (the highest token id) shows the value."""
        rows = [r for r in self._legacy_tokens(service_id) if r.user_id == user_id and r.value]
        return max(rows, key=lambda r: r.id).value.reveal() if rows else None

    def delete(self, token_id: int) -> None:
        self.site.goto(self.PATH, action="delete", tokenid=token_id)
        self.site.confirm()


def _token_id(row) -> int:
    return int(re.search(r"tokenid=(\d+)", first_href(row, "a[href*='action=delete'][href*='tokenid=']")).group(1))
