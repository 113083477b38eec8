"""A report-builder system report (4.3+: the token list, the user list): filter it, read every row.

Long lists are never read from page one: the report is filtered the way an admin would filter it (the Filters
dropdown, then Apply), so a site with thousands of rows costs the same as an empty one. Filters are found by the
report's own field names (`user:username_operator`), never by their labels, and a filter a run applied is reset
afterwards: Moodle keeps report filters in the admin's preferences, and the admin's lists should look as before.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, TypeVar, Union
from urllib.parse import urlencode

from provisioner.browser import Locator, PlaywrightError, PlaywrightTimeout
from provisioner.errors import StepError
from provisioner.pages.html import Document
from provisioner.pages.site import MoodleSite

REPORT = "#region-main [data-region='core_reportbuilder/report']"
TABLE = f"{REPORT} table[data-region=reportbuilder-table]"
_RELOADED = "core_table_get_dynamic_table_content"  # the AJAX call that redraws the table
MAX_PAGES = 50                          # a filtered report longer than this is not what we asked for
_FILTER_FORM = "core_reportbuilder\\form\\filter"  # the dynamic form class the Filters form's script submits
_FILTERS = f"{REPORT} [data-region=report-filters] form"  # the Filters form, as served
_PROFILE_LINK = "a[href*='/user/profile.php?id='], a[href*='/user/view.php?id=']"


@dataclass(frozen=True)
class TextIs:
    """A text filter set to "Is equal to" (report builder's text::IS_EQUAL_TO)."""
    value: str
    operator: str = "3"


@dataclass(frozen=True)
class Operator:
    """A filter whose operator alone says it all, e.g. a date filter set to "Is empty" (date::DATE_EMPTY = 2)."""
    operator: str


@dataclass(frozen=True)
class AnyOf:
    """An autocomplete filter (e.g. the token list's service name in 4.5+) set to these values."""
    values: tuple[str, ...]


Filter = Union[TextIs, Operator, AnyOf]
T = TypeVar("T")


class SystemReport:
    def __init__(self, site: MoodleSite):
        self.site = site

    def present(self) -> bool:
        return self.site.page.locator(REPORT).count() > 0

    # --- filtering and reading without rendering ---------------------------------------------------------
    def read_unrendered(self, doc: Document, filters: dict[str, Filter], read: Callable[[object], T]) -> list[T] | None:
        """Filter the report as its Filters form's own script does (it posts the form to Moodle's AJAX
        endpoint), then read the table Moodle serves already filtered; nothing is rendered. None when the
        filtered report has more than one page, or anything looks unlike what this expects: then filter it in
        the browser (`filter` and `read_rows`), which pages through it and says what went wrong."""
        form = doc.first(_FILTERS)
        if form is None:
            return None
        fields = doc.form_fields(form)
        changes: dict[str, list[str]] = {}
        for name, wanted in filters.items():
            if isinstance(wanted, AnyOf):
                select = doc.first(f"select[name='{name}_values[]']", form)
                offered = {o.get("value") for o in select.cssselect("option")} if select is not None else set()
                if any(v not in offered for v in wanted.values):
                    return None
                changes[f"{name}_values[]"] = list(wanted.values)
                continue
            if doc.first(f"select[name='{name}_operator']", form) is None:
                return None
            changes[f"{name}_operator"] = [wanted.operator]
            if isinstance(wanted, TextIs):
                changes[f"{name}_value"] = [wanted.value]
        pairs = [(n, v) for n, v in fields if n not in changes] + [(n, v) for n, vs in changes.items() for v in vs]
        answer = self._ajax(dict(fields), "core_form_dynamic_form",
                            {"form": _FILTER_FORM, "formdata": urlencode(pairs)})
        if not isinstance(answer, dict) or not answer.get("submitted"):
            return None
        filtered = self.site.read(self.site.relative(doc.url), again=True)
        # The dynamic table says how many rows the filters matched; an empty one shows no table at all.
        table = filtered.first(f"{REPORT} [data-region='core_table/dynamic']")
        total = table.get("data-table-total-rows", "") if table is not None else ""
        rows = filtered.all(f"{TABLE} tbody tr:not(.emptyrow)")
        if not total.isdigit() or int(total) != len(rows) or filtered.count(f"{REPORT} .pagination li.page-item"):
            return None  # more than one page, or not what this expects
        return [read(row) for row in rows]

    def reset_unrendered(self, doc: Document) -> None:
        """What the Filters form's Reset all button posts."""
        form = doc.first(_FILTERS)
        fields = dict(doc.form_fields(form)) if form is not None else {}
        if fields.get("reportid", "").isdigit():
            self._ajax(fields, "core_reportbuilder_filters_reset",
                       {"reportid": int(fields["reportid"]), "parameters": fields.get("parameters") or "[]"})

    def _ajax(self, fields: dict[str, str], method: str, args: dict):
        """One call to Moodle's AJAX endpoint, as its page scripts make it; None if refused or unreadable."""
        url = self.site.url("lib/ajax/service.php", sesskey=fields.get("sesskey", ""), info=method)
        try:
            fetched = self.site.tab.post_json(url, json.dumps([{"index": 0, "methodname": method, "args": args}]))
            answer = json.loads(fetched.text)[0]
        except (PlaywrightError, ValueError, LookupError):
            return None
        return None if not isinstance(answer, dict) or answer.get("error") else answer.get("data")

    # --- filtering ----------------------------------------------------------------------------------------
    def filter(self, filters: dict[str, Filter]) -> None:
        """Set each named filter and press Apply; returns once the table was redrawn."""
        page = self.site.page
        self.site.edit()
        self._open_filters()
        form = page.locator(f"{REPORT} [data-region=report-filters] form")
        for name, wanted in filters.items():
            if isinstance(wanted, AnyOf):
                select = form.locator(f"select[name='{name}_values[]']")
                self._require(select, name)
                offered = set(select.locator("option").evaluate_all("os => os.map(o => o.value)"))
                missing = [v for v in wanted.values if v not in offered]
                if missing:
                    raise StepError(f"the report's '{name}' filter offers no {', '.join(missing)}", url=page.url)
                select.select_option(list(wanted.values), force=True)  # the autocomplete hides its <select>
                continue
            operator = form.locator(f"select[name='{name}_operator']")
            self._require(operator, name)
            operator.select_option(wanted.operator)  # its change event enables the value field
            if isinstance(wanted, TextIs):
                form.locator(f"input[name='{name}_value']").fill(wanted.value)
        self._redraw(lambda: form.locator("input[type=submit][name=submitbutton]").click())

    def reset_filters(self) -> None:
        """Reset all, as the admin's own button does, so the list looks as it did before the run."""
        self.site.edit()
        self._open_filters()
        reset = self.site.page.locator(f"{REPORT} [data-region=report-filters] input[name=resetfilters]")
        if reset.count():
            self._redraw(lambda: reset.click())

    def _open_filters(self) -> None:
        button = self.site.page.locator(f"{REPORT} #dropdownFiltersButton")
        if button.count() == 0:
            raise StepError("this list has no filters", url=self.site.page.url)
        if button.get_attribute("aria-expanded") != "true":
            button.click()

    def _require(self, locator, name: str) -> None:
        if locator.count() == 0:
            raise StepError(f"the report has no '{name}' filter", url=self.site.page.url)

    def _redraw(self, action) -> None:
        """Do what redraws the table, and wait for Moodle's AJAX answer and its scripts to settle."""
        page = self.site.page
        try:
            with page.expect_response(lambda r: _RELOADED in r.url, timeout=self.site.tab.timeout_ms):
                action()
        except PlaywrightTimeout:
            raise StepError("the report did not redraw after its filters changed", url=page.url) from None
        self.site.settle()

    # --- reading ------------------------------------------------------------------------------------------
    def read_rows(self, read: Callable[[Locator], T]) -> list[T]:
        """`read` applied to every data row of the (filtered) report, following its pager to the last page.
        Rows are read before the pager redraws the table: a row locator would then point at the new page."""
        page = self.site.page
        found: list[T] = []
        for _ in range(MAX_PAGES):
            rows = page.locator(f"{TABLE} tbody tr:not(.emptyrow)")
            found.extend(read(rows.nth(i)) for i in range(rows.count()))
            following = page.locator(f"{REPORT} .pagination li.page-item.active + li.page-item:not(.disabled) a")
            if following.count() == 0:
                return found
            self._redraw(lambda: following.first.click())
        raise StepError(f"the filtered report is longer than {MAX_PAGES} pages", url=page.url)


def first_href(row, css: str) -> str:
    """The href of the first link matching `css` in a row, whether the row is in the browser (a Locator) or
    in a page that was only read (an lxml element)."""
    if isinstance(row, Locator):
        links = row.locator(css)
        return (links.first.get_attribute("href") or "") if links.count() else ""
    links = row.cssselect(css)
    return (links[0].get("href") or "") if links else ""


def linked_user_id(row) -> int | None:
    """The user a report row is about: its first profile link (a token's creator comes later); None for a
    row without one, e.g. an empty list's "Nothing to display"."""
    match = re.search(r"[?&]id=(\d+)", first_href(row, _PROFILE_LINK))
    return int(match.group(1)) if match else None
