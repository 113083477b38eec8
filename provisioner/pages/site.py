"""A logged-in admin session on one Moodle: navigation, waiting and error detection shared by every page."""
from __future__ import annotations

import re
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit

from provisioner.browser import PlaywrightError, PlaywrightTimeout, Tab
from provisioner import unreachable
from provisioner.errors import HttpStatusError, SiteUnreachable, StepError
from provisioner.pages.html import Document, text_of

# Moodle's own Behat waits for this before touching a page: its JS is still wiring up forms until then.
_SETTLED = "() => !(window.M && M.util && M.util.pending_js) || M.util.pending_js.length === 0"
# Elements that may hold a secret at some point; painted over in every screenshot.
SECRET_SELECTORS = ["#copytoclipboardtoken", "input[type=password]", "#id_newpassword",
                    "table#webservicetokens td.c0", "#id_verificationcode"]


class MoodleSite:
    def __init__(self, tab: Tab, base_url: str, artifacts_dir=None):
        self.tab = tab
        self.base_url = base_url.rstrip("/")
        self.admin_dir = "admin"  # read from M.cfg.admin after login: sites may rename it
        self.release = ""          # e.g. "5.0.6+ (Build: 20260403)"
        self.artifacts_dir = artifacts_dir
        self._shots = 0
        # The URL of the page as Moodle last served it, while nothing on it has been edited since. A step
        # reads a page, acts, and re-reads: often Moodle's redirect after the action lands on that very
        # page, freshly served, and loading it again would only cost time.
        self._pristine_url: str | None = None
        # Reading a page needs only its HTML; acting on it needs Moodle's JS to have finished wiring it
        # up. Pages are loaded to DOMContentLoaded and settled only when something is about to act.
        self._settled = False
        self._read_url: str | None = None  # the last page read without the browser: shown for a screenshot
        self._landed: Document | None = None  # the page a form posted without the browser led to
        self._forms: dict[tuple[str, bool], Document] = {}  # pages read only for a form that does not change (see read)

    @property
    def page(self):
        """The browser tab: opened (Chromium started) the first time a page object needs it."""
        return self.tab.page

    # --- URLs and navigation -------------------------------------------------------------------------
    def url(self, path: str, **params) -> str:
        path = path.replace("{admin}", self.admin_dir).lstrip("/")
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}/{path}{query}"

    def is_on_site(self, url: str) -> bool:
        return url == self.base_url or url.startswith(self.base_url + "/")

    def path_of(self, url: str) -> str:
        """The URL's path relative to the site root, e.g. 'admin/user.php' (sub-path sites included)."""
        base_path = urlsplit(self.base_url).path
        return urlsplit(url).path[len(base_path):].lstrip("/")

    def goto(self, path: str, *, anonymous: bool = False, referer: str | None = None, **params) -> None:
        """Be on a freshly served, unedited copy of a page, loading it only if the browser is not already
        there; ready to be read (call edit() or submit() to act). `anonymous` pages may be the login form;
        `referer` says which page of the site the browser comes from (the login page returns there)."""
        url = self.url(path, **params)
        if not anonymous and url == self._pristine_url and url == self.page.url:
            return
        self._pristine_url = self._landed = None
        with self._reaching(url):
            response = self.page.goto(url, wait_until="domcontentloaded", referer=referer)
            self._settled = False
        if response is not None and response.status == 503:
            raise StepError("the site is in maintenance mode (HTTP 503)", url=url,
                            moodle_message=self._text("body")[:300])
        self.raise_for_moodle_error(anonymous=anonymous)
        if response is not None and response.status >= 400:
            raise self.http_error(response.status, self.page.url)
        self._pristine_url = self.page.url

    def read(self, path: str, *, again: bool = False, anonymous: bool = False, referer: str | None = None,
             form_only: bool = False, **params) -> Document:
        """A page that is only read: its HTML with the session's cookies, nothing rendered (no scripts, no
        assets), the tab untouched. The page the browser is on is parsed instead when it is that very page,
        freshly served (Moodle's redirect after an action often lands on the page read next), unless the page
        is read `again` because what it shows has changed since (e.g. a report's filters). A page read
        `form_only` (a report's Filters form) is read once per run."""
        url = self.url(path, **params)
        if form_only:
            # Read again once the browser is open: a filter posted with what the bare client read (its
            # session key) matched nothing through the browser's client (seen on 5.0's user list).
            key = (url, self.tab.opened)
            if key not in self._forms:
                self._forms[key] = self.read(path, again=again, anonymous=anonymous, referer=referer, **params)
            return self._forms[key]
        if not again and self.tab.opened and url == self._pristine_url and url == self.page.url:
            return Document(self.page.content(), url)
        if not again and self._landed is not None and self._landed.url == url:
            return self._landed
        with self._reaching(url):
            fetched = self.tab.fetch(url, referer=referer)
        return self._served(fetched, url, anonymous)

    def post_form(self, url: str, fields: list[tuple[str, str]], *, anonymous: bool = False) -> Document:
        """Send a form's fields as the browser would, without rendering the page it leads to (the login
        form: it changes nothing on the site)."""
        self._pristine_url = None  # what the browser shows, if anything, is from before
        with self._reaching(url, silence="nothing came back within {s} s of submitting the form"):
            fetched = self.tab.post_form(url, fields)
        self._landed = self._served(fetched, url, anonymous)
        return self._landed

    @contextmanager
    def _reaching(self, url: str, silence: str = "the site did not answer within {s} s"):
        """A request to the site, its failures said as a step's: too slow (`silence`), or unreachable."""
        try:
            yield
        except PlaywrightTimeout:
            raise StepError(silence.format(s=f"{self.tab.timeout_ms / 1000:.0f}"), url=url) from None
        except PlaywrightError as exc:
            said = unreachable.say(str(exc), url, self.tab.network, self.tab.timeout_ms / 1000)
            raise SiteUnreachable(said, url=url) from None

    def _served(self, fetched, url: str, anonymous: bool) -> Document:
        self._read_url = fetched.url
        doc = Document(fetched.text, fetched.url)
        if fetched.status == 503:
            raise StepError("the site is in maintenance mode (HTTP 503)", url=url,
                            moodle_message=doc.text("body")[:300])
        box = doc.first("[data-rel=fatalerror], .errorbox")
        if box is not None:
            raise StepError("Moodle showed an error page", url=doc.url, moodle_message=text_of(box))
        if fetched.status >= 400:
            raise self.http_error(fetched.status, doc.url)
        if not anonymous and self.path_of(doc.url).startswith("login/"):
            raise StepError("the admin session was lost (Moodle sent the browser to its login page)", url=doc.url)
        return doc

    def show(self, doc: Document) -> None:
        """Open a page that was read in the browser, to act on it (e.g. a live search)."""
        self.goto(self.relative(doc.url))

    def relative(self, url: str) -> str:
        """The URL's path and query relative to the site root: what goto() and read() take."""
        query = urlsplit(url).query
        return self.path_of(url) + (f"?{query}" if query else "")

    def ready(self) -> None:
        """Wait, once per page, until Moodle's JS has wired the page up: then it is safe to act on."""
        if not self._settled:
            self.settle()
            self._settled = True

    def wait_until(self, script: str, arg=None) -> None:
        """Wait for one part of the page's scripts to be ready (a script returning true), not all of them."""
        try:
            self.page.wait_for_function(script, arg=arg, polling=100)
        except PlaywrightTimeout:
            raise StepError("the page's scripts did not get ready", url=self.page.url) from None

    def settle(self) -> None:
        try:
            self.page.wait_for_load_state("load")
            self.page.wait_for_function(_SETTLED, polling=100)
        except PlaywrightTimeout:
            raise StepError("Moodle's page scripts did not settle", url=self.page.url) from None

    def submit(self, button, *, anonymous: bool = False) -> None:
        """Click a submit button or link (selector or locator) and wait for the page it leads to."""
        target = self.page.locator(button) if isinstance(button, str) else button
        self.ready()
        self._pristine_url = self._landed = None
        try:
            with self.page.expect_navigation(wait_until="domcontentloaded"):
                target.first.click()
        except PlaywrightTimeout:
            # Either the site is that slow, or the browser never sent the form: a check in the page's own
            # scripts stopped it, and says why next to the field.
            raise StepError(f"nothing came back within {self.tab.timeout_ms / 1000:.0f} s of submitting the form",
                            url=self.page.url, moodle_message=self.form_errors() or None) from None
        self._settled = False
        self.raise_for_moodle_error(anonymous=anonymous)
        self._pristine_url = self.page.url

    def edit(self, *, wait_for_scripts: bool = True) -> None:
        """Page objects call this before changing anything on the current page. Pass
        wait_for_scripts=False only for plain forms and links whose scripts (a rich-text editor loading for
        seconds, the page's own AJAX calls) play no part in what is filled in and posted: the browser then
        sends them as soon as their HTML is there, and the page's background calls are cut short."""
        if wait_for_scripts:
            self.ready()
        else:
            self._settled = True  # its HTML is all there is to fill in: loaded since DOMContentLoaded
        self._pristine_url = self._landed = None

    def confirm(self) -> None:
        """Press Continue on Moodle's confirmation box (core_renderer::confirm), same in every version."""
        button = self.page.locator("#notice button.btn-primary, #notice input[type=submit].btn-primary")
        if button.count() == 0:
            raise StepError("Moodle showed no confirmation to accept", url=self.page.url)
        self.edit(wait_for_scripts=False)  # a plain form: its button posts it
        self.submit(button)

    # --- what Moodle says -----------------------------------------------------------------------------
    def raise_for_moodle_error(self, anonymous: bool = False) -> None:
        box = self.page.locator("[data-rel=fatalerror], .errorbox")
        if box.count():
            raise StepError("Moodle showed an error page", url=self.page.url,
                            moodle_message=squash(box.first.inner_text()))
        if not anonymous and self.path_of(self.page.url).startswith("login/"):
            raise StepError("the admin session was lost (Moodle sent the browser to its login page)",
                            url=self.page.url)

    def http_error(self, status: int, url: str) -> HttpStatusError:
        """An HTTP error that is not one of Moodle's error pages, said in terms of the site."""
        path = self.path_of(url) or "/"
        if status == 401:
            given = self.tab.network.basic_auth is not None
            said = ("the user and password given for the site's HTTP authentication were refused (HTTP 401)"
                    if given else "the site asks for HTTP authentication before Moodle (HTTP 401): give it with "
                    "--http-auth-file, or $MOODLE_HTTP_USER and $MOODLE_HTTP_PASSWORD")
        elif status == 404:
            said = f"the page {path} was not found on this site (HTTP 404): is {self.base_url} Moodle's root URL?"
            if path.startswith((self.admin_dir + "/", "admin/")):
                said += (" A renamed admin folder ($CFG->admin) is not supported by Moodle 5.1 and later: on "
                         "those releases the site's admin pages live under /admin")
        elif status == 403:
            said = (f"the web server refused {path} (HTTP 403) before Moodle answered: an address allow-list or "
                    "firewall in front of the site?")
        elif status == 400:
            said = (f"the site refused the request for {path} (HTTP 400): is the URL's scheme right (https:// for "
                    "an HTTPS site)?")
        elif status == 407:
            said = "the proxy asks for a user and password (HTTP 407): put them in --proxy's URL (or $HTTPS_PROXY)"
        elif status in (502, 504):
            said = f"the front end of the site got no answer from Moodle for {path} (HTTP {status}): Moodle's " \
                   "web server or PHP is down or overloaded"
        elif status >= 500:
            said = (f"the site failed on {path} (HTTP {status}): Moodle or its web server hit an error; the "
                    "server's error log says which")
        else:
            said = f"the site answered {path} with HTTP {status}"
        return HttpStatusError(said, status=status, url=url)

    def form_errors(self) -> str:
        """Validation messages of a re-rendered moodleform, joined; empty when there are none."""
        errors = self.page.locator(".invalid-feedback:not(:empty), .alert-danger")
        texts = [squash(errors.nth(i).inner_text()) for i in range(errors.count())]
        return "; ".join(t for t in texts if t)

    def _text(self, selector: str) -> str:
        try:
            return squash(self.page.locator(selector).first.inner_text(timeout=2000))
        except PlaywrightError:
            return ""

    # --- failure evidence ------------------------------------------------------------------------------
    def screenshot(self, label: str, url: str | None = None, folder=None) -> str | None:
        """What the browser shows; a failure on a page that was only read (`url`) is first loaded to be seen.
        Into `folder`, else the artifacts folder; None where there is neither."""
        folder = folder or self.artifacts_dir
        if folder is None:
            return None
        if url and url == self._read_url and (not self.tab.opened or url != self.page.url):
            try:
                self.page.goto(url, wait_until="load")
            except PlaywrightError:
                pass
        self._shots += 1
        name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "page"
        return self.tab.screenshot(folder / f"{self._shots:02d}-{name}.png", SECRET_SELECTORS)


    def evidence(self, label: str, failure: StepError) -> str | None:
        """The screenshot a failure is reported with; none where no page came back (the site unreachable)."""
        if isinstance(failure, SiteUnreachable):
            return None
        return failure.screenshot or self.screenshot(label, failure.url)


def is_moodle_page(source: str) -> bool:
    """Every page Moodle renders sets up its JS config (M.cfg, with the site's wwwroot) in the head."""
    return "M.cfg" in source and "wwwroot" in source


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()
