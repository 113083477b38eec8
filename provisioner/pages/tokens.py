"""Web-service tokens (admin/webservice/tokens.php): the list, the create form and deletion.

4.1 lists tokens in a plain table whose first cell shows the token to its creator, every time. 4.5+ list them
in a report that never shows the value: the new token is shown once, in #copytoclipboardtoken, right after
it is created. 4.5+ also added a Name field and turned "Valid until" on by default (now + 30 days).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite, squash
from provisioner.secrets import Secret

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class TokenRow:
    id: int
    name: str
    user_id: int | None
    service: str           # the service's name as the list shows it (4.5+ add its short name under it)
    no_expiry: bool
    value: Secret | None   # only 4.1 shows it, and only to the admin who created it


class TokensPage:
    PATH = "{admin}/webservice/tokens.php"
    # lang/en/webservice.php validuntil_empty (4.5+); 4.1 leaves the cell empty.
    NO_EXPIRY = ("This token has no expiry date.", "")

    def __init__(self, site: MoodleSite):
        self.site = site

    def tokens(self) -> list[TokenRow]:
        self.site.goto(self.PATH)
        page = self.site.page
        legacy = page.locator("table#webservicetokens").count() > 0
        rows = page.locator("table#webservicetokens tbody tr" if legacy
                            else "[data-region=reportbuilder-table] table tbody tr, table.reportbuilder-table tbody tr")
        found = []
        for i in range(rows.count()):
            row = rows.nth(i)
            delete = row.locator("a[href*='action=delete'][href*='tokenid=']")
            if delete.count() == 0:
                continue  # an empty report's "Nothing to display" row
            token_id = int(re.search(r"tokenid=(\d+)", delete.first.get_attribute("href")).group(1))
            found.append(self._row(row, token_id, legacy))
        return found

    def _row(self, row, token_id: int, legacy: bool) -> TokenRow:
        cells = row.locator("td")
        texts = [squash(t) for t in cells.all_inner_texts()]
        profile = row.locator("a[href*='/user/profile.php?id='], a[href*='/user/view.php?id=']")
        user_id = None
        if profile.count():
            match = re.search(r"[?&]id=(\d+)", profile.first.get_attribute("href") or "")
            user_id = int(match.group(1)) if match else None
        if legacy:  # 4.1: Token | User | Service | IP restriction | Valid until | Creator | Delete
            service_at, valid_at, name = 2, 4, ""
        else:       # 4.5+: Name | User | Email address | Service | IP restriction | Valid until | ...
            headers = [squash(h) for h in row.page.locator(
                "[data-region=reportbuilder-table] table thead th, table.reportbuilder-table thead th"
            ).all_inner_texts()]
            service_at, valid_at, name = _column(headers, "Service"), _column(headers, "Valid until"), texts[0]
        # The service cell shows the name, then the short name beneath it: keep the first part only.
        service = squash(cells.nth(service_at).evaluate(
            "c => c.childNodes[0] ? c.childNodes[0].textContent : ''"))
        value = texts[0] if legacy and _TOKEN.match(texts[0]) else None
        return TokenRow(token_id, name, user_id, service, texts[valid_at] in self.NO_EXPIRY,
                        Secret(value) if value else None)

    def create(self, name: str, user_id: int, user_search: str, service_id: int, ip_restriction: str) -> Secret:
        """Fill the form as an admin would (no expiry) and capture the token Moodle shows."""
        self.site.goto(self.PATH, action="create")
        self.site.edit()
        page = self.site.page
        if page.locator("#id_name").count():
            page.fill("#id_name", name)
        self._pick_user(user_id, user_search)
        page.select_option("#id_service", str(service_id))
        service_name = squash(page.locator(f"#id_service option[value='{service_id}']").inner_text())
        page.fill("#id_iprestriction", ip_restriction)
        page.set_checked("#id_validuntil_enabled", False)
        self.site.submit("#id_submitbutton")
        if page.locator("#id_user").count():  # the form came back: Moodle refused it
            raise StepError("Moodle did not create the token", url=page.url,
                            moodle_message=self.site.form_errors() or None)
        shown = page.locator("#copytoclipboardtoken")
        if shown.count():
            value = shown.first.inner_text().strip()
        else:
            value = self._legacy_value(user_id, service_name)
        if not _TOKEN.match(value or ""):
            raise StepError("Moodle created a token but the page did not show its value", url=page.url)
        return Secret(value)

    def _pick_user(self, user_id: int, search: str) -> None:
        """The user field is an AJAX autocomplete: type (name or e-mail; not the username), pick the match."""
        page = self.site.page
        field = page.locator("#fitem_id_user input[data-fieldtype=autocomplete]")
        field.fill(search)
        choice = page.locator(f"#fitem_id_user li[role=option][data-value='{user_id}']")
        choice.wait_for(state="visible", timeout=20_000)
        choice.click()
        field.press("Escape")
        self.site.settle()

    def _legacy_value(self, user_id: int, service_name: str) -> str | None:
        """4.1: the newest row for this user and service (the highest token id) shows the value."""
        rows = [r for r in self.tokens() if r.user_id == user_id and r.service == service_name and r.value]
        rows.sort(key=lambda r: r.id)
        return rows[-1].value.reveal() if rows else None

    def delete(self, token_id: int) -> None:
        self.site.goto(self.PATH, action="delete", tokenid=token_id)
        self.site.confirm()


def _column(headers: list[str], title: str) -> int:
    """4.5 headers also hold a hidden 'Sort by …' text, so match on how the header starts."""
    for index, header in enumerate(headers):
        if header.startswith(title):
            return index
    raise StepError(f"the token list has no '{title}' column")
