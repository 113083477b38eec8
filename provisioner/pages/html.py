"""A page that is only read: its HTML as Moodle served it, parsed, and looked up with the same CSS selectors
(ids, names, URLs, data- attributes) a page object would give the browser.

Reading needs no rendering: no scripts run, no stylesheet or image is fetched, nothing is laid out. lxml
(libxml2's HTML parser, with cssselect for CSS) is the parser: the most widely used and longest maintained
HTML parser for Python, tolerant of real-world markup, and fast enough that parsing a 1 MB admin page costs
a few tens of milliseconds.
"""
from __future__ import annotations

import re

from lxml import html as lxml_html
from lxml.etree import ParserError


class Document:
    def __init__(self, text: str, url: str):
        self.url = url
        self.source = text or ""
        try:
            self.root = lxml_html.fromstring(text or "<html></html>")
        except ParserError:  # an empty body
            self.root = lxml_html.fromstring("<html></html>")

    def all(self, css: str, within=None) -> list:
        return (within if within is not None else self.root).cssselect(css)

    def first(self, css: str, within=None):
        found = self.all(css, within)
        return found[0] if found else None

    def count(self, css: str) -> int:
        return len(self.all(css))

    def text(self, css: str, within=None) -> str:
        element = self.first(css, within)
        return text_of(element) if element is not None else ""

    def checked(self, css: str) -> bool:
        element = self.first(css)
        return element is not None and element.get("checked") is not None

    def disabled(self, css: str) -> bool:
        element = self.first(css)
        return element is not None and element.get("disabled") is not None

    def value(self, css: str) -> str:
        """What the browser would show in the field: an input's value, a select's chosen option."""
        element = self.first(css)
        if element is None:
            return ""
        if element.tag == "select":
            options = element.cssselect("option")
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            return chosen[0].get("value", chosen[0].text_content()) if chosen else ""
        if element.tag == "textarea":
            return element.text or ""
        return element.get("value") or ""

    def form_fields(self, form) -> list[tuple[str, str]]:
        """What the browser would post for the form as it stands: enabled named fields, checked boxes, chosen
        options."""
        pairs = []
        for element in form.iter("input", "select", "textarea"):
            name, kind = element.get("name"), (element.get("type") or "text").lower()
            if not name or element.get("disabled") is not None or kind in ("submit", "button", "image", "file"):
                continue
            if kind in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    pairs.append((name, element.get("value") or "on"))
            elif element.tag == "select":
                options = element.cssselect("option")
                chosen = [o for o in options if o.get("selected") is not None]
                if not chosen and element.get("multiple") is None:
                    chosen = options[:1]
                pairs += [(name, o.get("value", o.text_content())) for o in chosen]
            elif element.tag == "textarea":
                pairs.append((name, element.text or ""))
            else:
                pairs.append((name, element.get("value") or ""))
        return pairs


def text_of(element) -> str:
    return re.sub(r"\s+", " ", element.text_content() or "").strip()
