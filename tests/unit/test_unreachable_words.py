"""Each way of failing to reach a site gets its own line in our users' words, with no library text. The
raw texts below are what Playwright (Node and Chromium) and httpx really said here, in each case."""
from __future__ import annotations

import pytest

from provisioner import unreachable
from provisioner.network import network_from

LIBRARY_WORDS = ("APIRequestContext", "net::", "Node.js", "Errno", "ECONN", "ENOTFOUND", "ConnectError", "SSL:")

CASES = [
    ("APIRequestContext.get: connect ECONNREFUSED 127.0.0.1:8999", unreachable.REFUSED, "nothing answers at"),
    ("[Errno 111] Connection refused", unreachable.REFUSED, "nothing answers at"),
    ("APIRequestContext.get: getaddrinfo ENOTFOUND no-such-school.invalid", unreachable.DNS, "unknown to this"),
    ("[Errno -2] Name or service not known", unreachable.DNS, "unknown to this"),
    ("Page.goto: net::ERR_NAME_NOT_RESOLVED at http://x.invalid/", unreachable.DNS, "unknown to this"),
    ("APIRequestContext.get: Timeout 60000ms exceeded.", unreachable.TIMEOUT, "did not answer within"),
    ("APIRequestContext.get: connect ETIMEDOUT 10.1.1.1:443", unreachable.TIMEOUT, "did not answer within"),
    ("APIRequestContext.get: socket hang up", unreachable.RESET, "closed the connection"),
    ("APIRequestContext.get: read ECONNRESET", unreachable.RESET, "closed the connection"),
    ("Page.goto: net::ERR_PROXY_CONNECTION_FAILED at https://moodle.school.org/", unreachable.PROXY, "the proxy"),
    ("APIRequestContext.get: write EPROTO 40F8:error:0A00010B:SSL routines:ssl3_get_record:wrong version number",
     unreachable.TLS_OTHER, "no secure connection"),
]


@pytest.mark.parametrize("raw, kind, said", CASES)
def test_each_failure_has_its_own_line_without_library_text(raw, kind, said):
    assert unreachable.kind_of(raw) == kind
    network = network_from(proxy="http://proxy.school:3128", environ={})
    line = unreachable.say(raw, "https://moodle.school.org", network, timeout_s=60)
    assert said in line and "\n" not in line
    assert not [w for w in LIBRARY_WORDS if w in line], line


@pytest.mark.parametrize("raw, kind", [
    ("APIRequestContext.get: unable to verify the first certificate; if the root CA is installed locally, try "
     "running Node.js with --use-system-ca", unreachable.TLS_UNTRUSTED),
    ("Page.goto: net::ERR_CERT_AUTHORITY_INVALID at https://10.0.0.1/", unreachable.TLS_UNTRUSTED),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain",
     unreachable.TLS_UNTRUSTED),
    ("APIRequestContext.get: Hostname/IP does not match certificate's altnames", unreachable.TLS_NAME),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired", unreachable.TLS_DATES),
])
def test_certificate_failures_say_what_to_do(raw, kind):
    assert unreachable.kind_of(raw) == kind
    line = unreachable.say(raw, "https://127.0.0.1:9", network_from(environ={}))  # nothing there: no names
    assert "certificate" in line and not [w for w in LIBRARY_WORDS if w in line], line
    if kind == unreachable.TLS_UNTRUSTED:
        assert "--ca-file" in line


def test_tls_after_a_redirect_from_http_names_the_https_address_to_use():
    line = unreachable.say("unable to verify the first certificate", "http://moodle.school.org",
                           network_from(environ={}))
    assert "redirects to an HTTPS address" in line and "--ca-file" in line


def test_without_a_proxy_a_proxy_word_is_not_blamed_on_one():
    line = unreachable.say("Page.goto: net::ERR_TUNNEL_CONNECTION_FAILED", "https://m.school.org",
                           network_from(environ={}))
    assert "the proxy" not in line
