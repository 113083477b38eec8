"""Why a site could not be reached, in our users' words: one line about the site and what to do, with no
Node, Playwright or Python text. The browser and the REST client both hand their raw failure here.

The raw text is only matched, never shown (a failure no pattern knows is logged at debug level).
A certificate the machine does not trust is fetched once more, without trusting it, only to name its
subject and issuer: the user then sees which CA to ask the school for.
"""
from __future__ import annotations

import logging
import re
import socket
import ssl
from urllib.parse import urlsplit

from provisioner.network import Network

log = logging.getLogger(__name__)

REFUSED, DNS, TIMEOUT, RESET, PROXY = "refused", "dns", "timeout", "reset", "proxy"
TLS_UNTRUSTED, TLS_NAME, TLS_DATES, TLS_OTHER, UNKNOWN = "tls-untrusted", "tls-name", "tls-dates", "tls-other", "unknown"

# Checked in this order: the first kind whose pattern matches wins (a proxy's failure first, as its text
# may also say "refused"; a certificate's before the generic TLS ones).
_PATTERNS = [
    (PROXY, r"ERR_PROXY|ERR_TUNNEL_CONNECTION_FAILED|Proxy ?Error|proxy authentication|\b407\b|tunnel"),
    (TLS_NAME, r"ERR_CERT_COMMON_NAME_INVALID|Hostname/IP does not match|hostname mismatch|IP address mismatch|"
               r"doesn't match|not valid for"),
    (TLS_DATES, r"ERR_CERT_DATE_INVALID|certificate has expired|certificate is not yet valid|CERT_HAS_EXPIRED"),
    (TLS_UNTRUSTED, r"ERR_CERT_AUTHORITY_INVALID|unable to verify the first certificate|self[- ]signed certificate|"
                    r"unable to get (local )?issuer certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|"
                    r"certificate verify failed|ERR_CERT_"),
    (TLS_OTHER, r"ERR_SSL|SSL|TLS|EPROTO|wrong version number|handshake"),
    (REFUSED, r"ECONNREFUSED|ERR_CONNECTION_REFUSED|Connection refused|Errno 111\b"),
    (DNS, r"ENOTFOUND|EAI_AGAIN|ERR_NAME_NOT_RESOLVED|Name or service not known|name resolution|"
          r"nodename nor servname|getaddrinfo|No address associated"),
    (TIMEOUT, r"ETIMEDOUT|ERR_TIMED_OUT|ERR_CONNECTION_TIMED_OUT|timed? ?out|Timeout"),
    (RESET, r"ECONNRESET|ERR_CONNECTION_RESET|ERR_CONNECTION_CLOSED|ERR_EMPTY_RESPONSE|socket hang up|"
            r"Connection reset|Server disconnected|RemoteProtocolError|EPIPE"),
]


def kind_of(raw: str) -> str:
    for kind, pattern in _PATTERNS:
        if re.search(pattern, raw or "", re.IGNORECASE):
            return kind
    return UNKNOWN


def say(raw: str, url: str, network: Network | None = None, timeout_s: float | None = None) -> str:
    """One line for a failure to reach `url` (raw: what the library said)."""
    network = network or Network()
    parts = urlsplit(url)
    host = parts.hostname or url
    port = parts.port or (443 if parts.scheme == "https" else 80)
    where = f"{host}:{port}"
    proxy = network.proxy_for(url)
    kind = kind_of(raw)
    if kind == PROXY and proxy is None:
        kind = UNKNOWN
    if kind == PROXY:
        return (f"the proxy {proxy.server} could not take this machine to {where}: check --proxy (or "
                "$HTTPS_PROXY), its user and password, and whether that proxy lets you reach the site")
    if kind == REFUSED:
        via = f" (through the proxy {proxy.server})" if proxy else ""
        return (f"nothing answers at {where}{via}: the site's web server is not running there, or the URL's "
                "port is wrong")
    if kind == DNS:
        return (f"the name {host} is unknown to this machine's DNS: check the site URL, or whether the site is "
                "only visible from the school's network (VPN)")
    if kind == TIMEOUT:
        within = f" within {timeout_s:g} s" if timeout_s else ""
        return (f"{where} did not answer{within}: a firewall may be dropping the connection, or the site is "
                "overloaded; check that this machine can open the site in a browser (a proxy: --proxy)")
    if kind == RESET:
        return (f"{where} closed the connection without an answer: is the URL's scheme right (https:// for an "
                "HTTPS site)? A firewall or proxy in between may also cut it")
    if kind in (TLS_UNTRUSTED, TLS_NAME, TLS_DATES, TLS_OTHER) and parts.scheme == "http":
        # The TLS was not on this URL: the site redirected to an https:// address (Moodle does, to its wwwroot).
        return (f"{where} redirects to an HTTPS address whose certificate this machine does not accept: give "
                "the site's own https:// address (Moodle's wwwroot), and --ca-file if the school has its own CA")
    if kind in (TLS_UNTRUSTED, TLS_NAME, TLS_DATES):
        return _certificate_problem(kind, host, port, network)
    if kind == TLS_OTHER:
        return (f"no secure connection could be set up with {where}: is the URL's scheme right (https:// only "
                "where the site serves HTTPS)?")
    log.debug("unrecognised failure to reach %s: %s", where, raw)  # for a bug report
    return (f"{where} cannot be reached from this machine: check the URL, and that the site opens in a browser "
            "here (a proxy: --proxy)")


def _certificate_problem(kind: str, host: str, port: int, network: Network) -> str:
    subject, issuer = _peer_names(host, port, network)
    named = f" (issued to {subject} by {issuer})" if subject else ""
    if kind == TLS_NAME:
        return (f"the certificate of {host}:{port} is for another name{named}: use the address the certificate "
                "names, the one Moodle itself is configured with")
    if kind == TLS_DATES:
        return f"the certificate of {host}:{port} has expired or is not valid yet{named}: the school must renew it"
    trusted = f" (not even with {', '.join(map(str, network.ca_files))})" if network.ca_files else ""
    return (f"the certificate of {host}:{port} is not trusted on this machine{named}{trusted}: if the school "
            "uses its own certificate authority, pass its CA certificate with --ca-file (or $SSL_CERT_FILE)")


def _peer_names(host: str, port: int, network: Network) -> tuple[str, str]:
    """The site's certificate subject and issuer, read without trusting it; ('', '') if it cannot be read."""
    try:
        from cryptography import x509

        der = _peer_certificate(host, port, network)
        cert = x509.load_der_x509_certificate(der)
        return _name(cert.subject), _name(cert.issuer)
    except Exception:  # noqa: BLE001  (only a nicer message is lost)
        return "", ""


def _name(name) -> str:
    from cryptography.x509.oid import NameOID

    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        values = name.get_attributes_for_oid(oid)
        if values:
            return f"'{values[0].value}'"
    return f"'{name.rfc4514_string()}'"


def _peer_certificate(host: str, port: int, network: Network) -> bytes:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # read, never trusted: this connection carries nothing
    proxy = network.proxy_for(f"https://{host}:{port}")
    if proxy is not None and proxy.server.startswith("http://"):
        proxy_parts = urlsplit(proxy.server)
        sock = socket.create_connection((proxy_parts.hostname, proxy_parts.port or 80), timeout=10)
        sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        if b" 200" not in sock.recv(4096).split(b"\r\n", 1)[0]:
            sock.close()
            raise OSError("the proxy refused the tunnel")
    else:
        sock = socket.create_connection((host, port), timeout=10)
    with context.wrap_socket(sock, server_hostname=host) as tls:
        return tls.getpeercert(binary_form=True)
