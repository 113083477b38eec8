"""The floor: what the admin UI itself costs, measured with a plain HTTP client (no browser, no assets).

A session (httpx, cookies kept) logs in with Moodle's login form and then does what a run must do, the way an
admin without JavaScript would: GET each admin page, post each form with the values the browser would send,
and filter the report-builder lists (4.3+) with the one AJAX call their filter form makes (then re-read the
page, whose table Moodle renders already filtered, and reset the filters). Two flows:

- `noop_floor`: login plus every admin page a no-op re-run of the Enrollait playbook reads;
- `fresh_floor`: login plus the reads and form posts of a fresh run, on a freshly reset site.

Only for benches: it knows Moodle's HTML only as far as the bench needs, and asserts the flow worked (a
floor that skipped a step would flatter the ratios). Password never printed.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import httpx
from lxml import html

SEVEN = ("core_webservice_get_site_info", "core_course_get_courses", "core_course_get_categories",
         "core_user_get_users", "core_user_create_users", "core_enrol_get_course_enrolment_methods",
         "enrol_manual_enrol_users")
USER = {"username": "enrollait-user", "email": "x@example.com", "firstname": "Enrollait", "lastname": "Integration"}


class FloorClient:
    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.http = httpx.Client(follow_redirects=True, timeout=120)
        self.sesskey = ""
        self.requests = 0
        self.filter_forms: dict[str, html.HtmlElement] = {}  # a report's page, read once for its Filters form

    # --- HTTP -----------------------------------------------------------------------------------
    def get(self, path: str, **params) -> html.HtmlElement:
        url = f"{self.base}/{path}" + (f"?{urlencode(params)}" if params else "")
        return self._page(self.http.get(url))

    def post(self, url: str, pairs: list[tuple[str, str]]) -> html.HtmlElement:
        return self._page(self.http.post(url, content=urlencode(pairs),
                                         headers={"Content-Type": "application/x-www-form-urlencoded"}))

    def _page(self, response: httpx.Response) -> html.HtmlElement:
        self.requests += 1 + len(response.history)
        response.raise_for_status()
        doc = html.fromstring(response.text, base_url=str(response.url))
        doc.url = str(response.url)
        if doc.cssselect("[data-rel=fatalerror], .errorbox"):
            raise RuntimeError(f"Moodle error page at {doc.url}")
        match = re.search(r'"sesskey":"([^"]+)"', response.text)
        self.sesskey = match.group(1) if match else self.sesskey
        return doc

    def ajax(self, method: str, args: dict) -> object:
        self.requests += 1
        response = self.http.post(f"{self.base}/lib/ajax/service.php",
                                  params={"sesskey": self.sesskey, "info": method},
                                  json=[{"index": 0, "methodname": method, "args": args}])
        answer = response.json()[0]
        if answer.get("error"):
            raise RuntimeError(f"{method}: {answer.get('exception')}")
        return answer.get("data")

    # --- forms, as a browser would post them ------------------------------------------------------
    @staticmethod
    def fields(form) -> list[tuple[str, str]]:
        pairs = []
        for element in form.iter("input", "select", "textarea"):
            name, kind = element.get("name"), (element.get("type") or "text").lower()
            if not name or element.get("disabled") is not None or kind in ("submit", "button", "image", "file"):
                continue
            if kind in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    pairs.append((name, element.get("value") or "on"))
            elif element.tag == "select":
                chosen = element.xpath(".//option[@selected]") or ([] if element.get("multiple") is not None
                                                                   else element.xpath(".//option")[:1])
                pairs += [(name, o.get("value", o.text_content())) for o in chosen]
            elif element.tag == "textarea":
                pairs.append((name, element.text or ""))
            else:
                pairs.append((name, element.get("value") or ""))
        return pairs

    def submit(self, doc, form_css: str, changes: dict[str, list[str] | str], button: str | None = None):
        form = doc.cssselect(form_css)[0]
        pairs = [(n, v) for n, v in self.fields(form) if n not in changes]
        for name, values in changes.items():
            pairs += [(name, v) for v in ([values] if isinstance(values, str) else values)]
        if button:
            element = form.cssselect(button)[0]
            pairs.append((element.get("name"), element.get("value") or ""))
        action = form.get("action") or doc.url
        return self.post(html.make_links_absolute(f'<a href="{action}"></a>', doc.url).split('"')[1]
                         .replace("&amp;", "&"), pairs)

    # --- the admin's moves ----------------------------------------------------------------------------
    def login(self, user: str, password: str) -> None:
        doc = self.get("login/index.php", loginredirect=0)
        doc = self.submit(doc, "form#login", {"username": user, "password": password})
        self.get("admin/environment.php")

    def filter_report(self, path: str, values: dict[str, str | list[str]]) -> html.HtmlElement:
        """Set the report's filters as its filter form's AJAX call does, read the filtered page, reset. The
        unfiltered page (slow on a site with 500 app tokens) is read once, for its form."""
        if path not in self.filter_forms:
            self.filter_forms[path] = self.get(path)
        doc = self.filter_forms[path]
        form = doc.cssselect("[data-region=report-filters] form")[0]
        pairs = [(n, v) for n, v in self.fields(form) if n not in values]
        for name, value in values.items():
            pairs += [(name, v) for v in ([value] if isinstance(value, str) else value)]
        self.ajax("core_form_dynamic_form", {"form": "core_reportbuilder\\form\\filter", "formdata": urlencode(pairs)})
        filtered = self.get(path)
        sent = dict(pairs)
        self.ajax("core_reportbuilder_filters_reset", {"reportid": int(sent["reportid"]),
                                                       "parameters": sent.get("parameters") or "[]"})
        return filtered

    def find_user(self) -> list[int]:
        doc = self.filter_report("admin/user.php", {"user:username_operator": "3",
                                                    "user:username_value": USER["username"]})
        return _ids(doc, r"/user/(?:profile|view)\.php\?id=(\d+)", "table[data-region=reportbuilder-table]")

    def find_email(self) -> list[int]:
        doc = self.filter_report("admin/user.php", {"user:email_operator": "3", "user:email_value": USER["email"]})
        return _ids(doc, r"/user/(?:profile|view)\.php\?id=(\d+)", "table[data-region=reportbuilder-table]")

    def service_id(self) -> int | None:
        listed = _ids(self.get("admin/settings.php", section="externalservices"), r"service\.php\?id=(\d+)")
        for service_id in listed:
            if self.get("admin/webservice/service.php", id=service_id).cssselect("input[name=shortname][value=enrollait]"):
                return service_id
        return None

    def tokens(self, service_name: str) -> None:
        values = {"service:name_values[]": [service_name]}
        self.filter_report("admin/webservice/tokens.php", values)
        self.filter_report("admin/webservice/tokens.php", {**values, "token:validuntil_operator": "2"})


def _ids(doc, pattern: str, scope: str = "#region-main") -> list[int]:
    found = []
    for link in doc.cssselect(f"{scope} a"):
        match = re.search(pattern, link.get("href") or "")
        if match and int(match.group(1)) not in found:
            found.append(int(match.group(1)))
    return found


def noop_floor(base_url: str, user: str, password: str) -> int:
    """Login plus every admin page a no-op re-run reads. Returns the number of HTTP requests."""
    c = FloorClient(base_url)
    c.login(user, password)
    assert c.get("admin/settings.php", section="optionalsubsystems").cssselect("#id_s__enablewebservices[checked]")
    c.get("admin/settings.php", section="webserviceprotocols")
    user_id = c.find_user()[0]
    c.get("user/editadvanced.php", id=user_id, course=1)
    service_id = c.service_id()
    assert service_id is not None, "no-op floor on a site without the service"
    c.get("admin/webservice/service_functions.php", id=service_id)
    c.get("admin/webservice/service_users.php", id=service_id)
    c.get("admin/roles/manage.php")
    c.get("admin/roles/admins.php")
    c.tokens("Enrollait Service")
    return c.requests


def fresh_floor(base_url: str, user: str, password: str) -> int:
    """Login plus the reads and form posts of a fresh run, on a freshly reset site."""
    c = FloorClient(base_url)
    c.login(user, password)
    doc = c.get("admin/settings.php", section="optionalsubsystems")
    doc = c.submit(doc, "form#adminsettings", {"s__enablewebservices": ["0", "1"]})
    assert doc.cssselect("#id_s__enablewebservices[checked]")
    doc = c.get("admin/settings.php", section="webserviceprotocols")
    enable = doc.cssselect("table#webserviceprotocols a[href*='webservice=rest'][href*='action=enable']")[0]
    c.get(enable.get("href").replace(c.base + "/", ""))
    assert not c.find_user() and not c.find_email()
    doc = c.get("user/editadvanced.php", id=-1, course=1)
    c.submit(doc, "form:has(input[name=_qf__user_editadvanced_form])",
             {**USER, "newpassword": "Floor-pass-1234-ABCD!"}, "#id_submitbutton")
    user_id = c.find_user()[0]
    c.get("user/editadvanced.php", id=user_id, course=1)
    assert c.service_id() is None
    doc = c.get("admin/webservice/service.php", id=0)
    doc = c.submit(doc, "form:has(input[name=_qf__external_service_form])",
                   {"name": "Enrollait Service", "shortname": "enrollait", "enabled": ["0", "1"],
                    "restrictedusers": ["0", "1"]}, "#id_submitbutton")
    service_id = int(re.search(r"id=(\d+)", doc.url).group(1))
    doc = c.get("admin/webservice/service_functions.php", sesskey=c.sesskey, id=service_id, action="add")
    options = {o.text_content().split(":")[0].strip(): o.get("value") for o in doc.cssselect("select#id_fids option")}
    doc = c.submit(doc, "form:has(input[name=_qf__external_service_functions_form])",
                   {"fids[]": [options[f] for f in SEVEN]}, "#id_submitbutton")
    assert len(doc.cssselect("#region-main table.generaltable tbody tr")) >= len(SEVEN)
    name = f"{USER['firstname']} {USER['lastname']}"
    doc = c.get("admin/webservice/service_users.php", id=service_id)
    doc = c.submit(doc, "#region-main form:has(select#addselect)",
                   {"addselect[]": str(user_id), "addselect_searchtext": name}, "input#add")
    assert doc.cssselect(f"select#removeselect option[value='{user_id}']")
    c.get("admin/roles/manage.php")
    doc = c.get("admin/roles/admins.php")
    doc = c.submit(doc, "#region-main form:has(select#addselect)",
                   {"addselect[]": str(user_id), "addselect_searchtext": name}, "input#add")
    doc = c.submit(doc, "#notice form[method=post]", {})
    assert doc.cssselect(f"select#removeselect option[value='{user_id}']")
    c.tokens("Enrollait Service")
    doc = c.get("admin/webservice/tokens.php", action="create")
    changes = {"name": "Enrollait Token", "user": str(user_id), "service": str(service_id), "iprestriction": ""}
    form = doc.cssselect("form:has(input[name=_qf__core_webservice_token_form])")[0]
    changes.update({n: [] for n, _ in c.fields(form) if n.startswith("validuntil[enabled]")})
    doc = c.submit(doc, "form:has(input[name=_qf__core_webservice_token_form])", changes, "#id_submitbutton")
    assert doc.cssselect("#copytoclipboardtoken") or "tokens.php" in doc.url
    c.tokens("Enrollait Service")
    return c.requests


if __name__ == "__main__":  # python bench/http_floor.py NAME: both floors once, on a sandbox (it is reset)
    import sys
    import time

    from provisioner.sandbox.model import UpRequest
    from provisioner.sandbox.engine import engine_for
    name = sys.argv[1]
    engine = engine_for(name)
    up = engine.up(UpRequest(name=name))
    engine.reset(name)
    for flow in (fresh_floor, noop_floor):
        started = time.monotonic()
        count = flow(up.url, up.admin_user, up.admin_password.reveal())
        print(json.dumps({"flow": flow.__name__, "seconds": round(time.monotonic() - started, 2),
                          "requests": count}))
