"""The only code that knows Moodle's REST endpoint and /login/token.php.

Every failure becomes one `RestError` carrying an errorcode. Moodle's own codes pass through unchanged;
failures that happen before Moodle can answer in JSON get the synthetic codes below. Callers match on
`errorcode` only: the `exception` field names PHP classes that moved into `core\\exception\\` in 4.5.

The token travels only in the POST body (never in a URL, so never in an httpx log line) and every
message that leaves this module goes through `redact()`.
"""
from __future__ import annotations

import html
import json
import logging
import re
import ssl
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from provisioner import unreachable
from provisioner.errors import PlaybookError, VerifyError
from provisioner.network import Network, network_from
from provisioner.secrets import Secret, redact

log = logging.getLogger(__name__)

REST_PATH = "/webservice/rest/server.php"
TOKEN_PATH = "/login/token.php"

# Synthetic codes: no Moodle JSON to read them from.
ENDPOINT_FORBIDDEN = "endpoint-forbidden"  # 403 + empty body: web services off, or REST off
UNREACHABLE = "unreachable"                # DNS, refused connection, TLS, timeout
NOT_MOODLE = "not-moodle"                  # an answer, but not Moodle's JSON
WRONG_SITE_URL = "wrong-site-url"          # Moodle redirects: the URL differs from its wwwroot
HTTP_AUTH = "http-auth"                    # HTTP 401: basic authentication in front of Moodle
SERVER_ERROR = "server-error"              # HTTP 5xx


_HREF = re.compile(r"""<a\s[^>]*href=["']([^"']+)["']""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


class RestError(VerifyError):
    """Moodle (or the way to it) refused a call. Match on `errorcode`, never on the PHP class."""

    def __init__(self, errorcode: str, message: str, *, debuginfo: str | None = None,
                 function: str | None = None, canonical_url: str | None = None):
        self.errorcode = errorcode
        # Some messages carry HTML (e.g. a link to the site policy): the links are kept apart, as they
        # say more than the site's language does, and the text is shown plain.
        self.links = [html.unescape(href) for href in _HREF.findall(message or "")]
        self.message = redact(html.unescape(_TAG.sub("", message or "")))
        self.debuginfo = redact(debuginfo) if debuginfo else None
        self.function = function
        self.canonical_url = canonical_url
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.function}: " if self.function else ""
        return f"{where}{self.message} [{self.errorcode}]"


def normalise_site_url(site_url: str) -> str:
    """The site root without a trailing slash; anything but http(s) is bad input."""
    url = (site_url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PlaybookError(f"site URL must look like https://moodle.example.org, got {site_url!r}")
    if parts.query or parts.fragment:
        raise PlaybookError(f"site URL must not carry a query or fragment: {site_url!r}")
    return url


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Nested dicts/lists to PHP array syntax: {'users': [{'username': 'a'}]} -> users[0][username]=a.

    Moodle parses only form-encoded bodies (JSON bodies are ignored). None values are left out, as are
    empty lists, which form encoding cannot express; Moodle then applies the parameter's default.
    """
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            pairs += flatten_params(value, name)
        elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
            pairs += flatten_params({str(i): v for i, v in enumerate(value)}, name)
        elif isinstance(value, bool):
            pairs.append((name, "1" if value else "0"))
        elif isinstance(value, Secret):
            pairs.append((name, value.reveal()))
        else:
            pairs.append((name, str(value)))
    return pairs


def parse_rest_answer(response: httpx.Response, function: str, site_url: str) -> Any:
    """Turn one answer of server.php into data, or raise the RestError it means."""
    _raise_for_transport_shape(response, function, site_url, REST_PATH)
    data = _json_or_raise(response, function)
    if isinstance(data, dict) and "errorcode" in data and "exception" in data:
        raise RestError(str(data["errorcode"]), str(data.get("message", "")),
                        debuginfo=data.get("debuginfo"), function=function)
    return data


def _raise_for_transport_shape(response: httpx.Response, function: str, site_url: str, path: str) -> None:
    if response.is_redirect:
        location = response.headers.get("location", "")
        canonical = location[: -len(path)] if location.endswith(path) else None
        hint = f"; Moodle's own address is {canonical}, use that" if canonical else f" to {location}"
        raise RestError(WRONG_SITE_URL, f"{site_url} redirects{hint}", function=function,
                        canonical_url=canonical)
    if response.status_code == 403 and not response.content.strip():
        raise RestError(ENDPOINT_FORBIDDEN, "HTTP 403 with an empty body: web services or the REST "
                        "protocol are disabled", function=function)
    status = response.status_code
    if status == 401:
        raise RestError(HTTP_AUTH, "the site asks for HTTP authentication before Moodle (HTTP 401): give it "
                        "with --http-auth-file, or $MOODLE_HTTP_USER and $MOODLE_HTTP_PASSWORD (or the ones given "
                        "were refused)", function=function)
    if status == 407:
        raise RestError(UNREACHABLE, "the proxy asks for a user and password (HTTP 407): put them in --proxy's "
                        "URL (or $HTTPS_PROXY)", function=function)
    if status >= 500:
        raise RestError(SERVER_ERROR, f"the site failed on {path} (HTTP {status}): Moodle or its web server "
                        "hit an error (or is down behind its front end)", function=function)
    if status != 200:
        raise RestError(NOT_MOODLE, f"HTTP {status} from {response.request.url}: "
                        "is this the root URL of a Moodle site?", function=function)


def _json_or_raise(response: httpx.Response, function: str) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        kind = response.headers.get("content-type", "no content type")
        raise RestError(NOT_MOODLE, f"{response.request.url} answered {kind}, not Moodle's JSON: "
                        "is this the root URL of a Moodle site?", function=function) from None


class MoodleRestClient:
    """Calls web-service functions with one token. Redirects are not followed: they mean a wrong URL."""

    def __init__(self, site_url: str, token: Secret, *, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None, network: Network | None = None):
        self.site_url = normalise_site_url(site_url)
        self._token = Secret(token)
        self._timeout = timeout
        self.network = network or network_from()  # as the environment says, when nobody chose
        self._http = http_client(self.network, self.site_url, timeout=timeout, transport=transport,
                                 headers={"User-Agent": "moodle-enrollait-provisioner"})

    def __enter__(self) -> MoodleRestClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"MoodleRestClient({self.site_url!r}, token={self._token!r})"

    def call(self, function: str, params: Mapping[str, Any] | None = None) -> Any:
        body = [("wstoken", self._token.reveal()), ("wsfunction", function),
                ("moodlewsrestformat", "json"), *flatten_params(params or {})]
        log.debug("calling %s on %s", function, self.site_url)
        response = self._post(REST_PATH, body, function)
        return parse_rest_answer(response, function, self.site_url)

    def web_services_enabled(self) -> bool:
        """Ask /login/token.php, which checks `enablewebservices` and nothing about REST.

        login/token.php throws `enablewsdescription` before it reads any parameter, and `appsitecheck=1`
        answers right after that check, so no login is attempted and no failed-login event is logged
        (a bogus username/password would work too, but would leave a failed login in the site's logs).
        """
        response = self._post(TOKEN_PATH, [("appsitecheck", "1")], "login/token.php")
        _raise_for_transport_shape(response, "login/token.php", self.site_url, TOKEN_PATH)
        data = _json_or_raise(response, "login/token.php")
        if isinstance(data, dict) and data.get("appsitecheck") == "ok":
            return True
        code = data.get("errorcode") if isinstance(data, dict) else None
        if code == "enablewsdescription":
            return False
        if code in ("missingparam", "invalidparameter"):
            # Moodle 5.3 dropped appsitecheck (MDL-87010): the script then asks for the username it was
            # not given, which it does only after web services were found enabled. No login was tried.
            return True
        if code == "requirecorrectaccess":
            raise RestError(WRONG_SITE_URL, f"{self.site_url} is not the address Moodle knows itself by "
                            "(host or port differ from its wwwroot)", function="login/token.php")
        raise RestError(code or NOT_MOODLE, str(data.get("error", data) if isinstance(data, dict) else data),
                        function="login/token.php")

    def _post(self, path: str, body: list[tuple[str, str]], function: str) -> httpx.Response:
        url = self.site_url + path
        try:
            return self._http.post(url, data=dict(body))
        except httpx.TimeoutException:
            said = unreachable.say("timeout", self.site_url, self.network, self._timeout)
            raise RestError(UNREACHABLE, said, function=function) from None
        except (httpx.HTTPError, ssl.SSLError, OSError) as exc:
            # str(exc) names the host and the OS error; it never contains the body, hence no token.
            raw = f"{type(exc).__name__}: {exc} {exc.__context__ or ''}"
            said = unreachable.say(raw, self.site_url, self.network, self._timeout)
            raise RestError(UNREACHABLE, said, function=function) from None


def http_client(network: Network, site_url: str, **settings) -> httpx.Client:
    """An HTTP client that takes the network's way to `site_url`: its CAs beside the public ones, its proxy
    (or none, as NO_PROXY says), basic authentication in front of the site. The environment is read once,
    by `network_from`, and not again by httpx: browser and REST then agree."""
    proxy = network.proxy_for(site_url)
    auth = network.basic_auth
    return httpx.Client(verify=network.ssl_context(), trust_env=False, follow_redirects=False,
                        proxy=proxy.url() if proxy else None,
                        auth=httpx.BasicAuth(auth.username, auth.password.reveal()) if auth else None, **settings)

