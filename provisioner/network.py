"""The way from this machine to a school's site: certificate authorities trusted beside the system's, a
forward proxy, HTTP basic authentication in front of Moodle. Read and checked before any browser starts,
and given to the browser and the REST client alike, so that both take the same way.

Verification is never turned off: a school's own CA is *added* to what is trusted. Secrets (the proxy's
and the front end's passwords) are `Secret`s, read from the environment or a file, never from a flag.
"""
from __future__ import annotations

import functools
import os
import re
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from provisioner.errors import PlaybookError
from provisioner.secrets import Secret

CA_FILE_ENV = "SSL_CERT_FILE"
HTTP_AUTH_FILE_ENV = "MOODLE_HTTP_AUTH_FILE"
HTTP_USER_ENV, HTTP_PASSWORD_ENV = "MOODLE_HTTP_USER", "MOODLE_HTTP_PASSWORD"
_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


@dataclass(frozen=True)
class Proxy:
    server: str                    # scheme://host:port, without credentials
    username: str | None = None
    password: Secret | None = None

    def url(self) -> str:
        """The URL with its credentials, for an HTTP client (never printed)."""
        if not self.username:
            return self.server
        parts = urlsplit(self.server)
        password = f":{self.password.reveal()}" if self.password else ""
        return urlunsplit(parts._replace(netloc=f"{self.username}{password}@{parts.netloc}"))


@dataclass(frozen=True)
class BasicAuth:
    username: str
    password: Secret


@dataclass(frozen=True)
class Network:
    ca_files: tuple[Path, ...] = ()     # PEM bundles trusted beside the system's
    proxy: Proxy | None = None
    no_proxy: tuple[str, ...] = ()      # hosts (and domains: ".example.org" or "example.org") reached directly
    basic_auth: BasicAuth | None = None
    _pem: bytes = field(default=b"", repr=False, compare=False)  # the certificates of ca_files, read once
    ca_dir: Path | None = None          # $SSL_CERT_DIR (OpenSSL's hashed folder): the REST client's, as httpx's

    def proxy_for(self, url: str) -> Proxy | None:
        """The proxy to reach `url` through, or None where NO_PROXY says to go direct."""
        if self.proxy is None:
            return None
        host = (urlsplit(url).hostname or "").lower()
        for entry in self.no_proxy:
            entry = entry.lower().lstrip("*").strip()
            if entry == "*" or (entry and (host == entry.lstrip(".") or host.endswith("." + entry.lstrip(".")))):
                return None
        return self.proxy

    @property
    def trusts_more(self) -> bool:
        """Whether the CA files add anything to the public CAs every browser trusts already."""
        return bool(self.extra_pem())

    def ca_pem(self) -> bytes:
        """Every certificate of the CA files, PEM, one after the other."""
        return self._pem

    def extra_pem(self) -> bytes:
        """The certificates of the CA files that are not public CAs (certifi's, as Mozilla's): what the
        browser must be told to trust. $SSL_CERT_FILE is often the system's whole bundle, which adds
        nothing and would cost a certutil call per CA at every start."""
        return _not_public(self._pem)

    def ssl_context(self) -> ssl.SSLContext:
        """What the REST client verifies with: the usual public CAs (certifi, as httpx's default) plus the
        CA files. Hostname checking stays on. One context per set of CAs, shared: loading certifi's bundle
        is most of a health check's CPU (measured: 0.08 CPU-s per site with a context each)."""
        return _context_trusting(self._pem, str(self.ca_dir) if self.ca_dir else None)

    def trusting(self, ca_file: Path) -> Network:
        """The same way, trusting `ca_file`'s CAs instead of this one's (a site's own, from an inventory)."""
        files = (Path(ca_file),)
        return Network(files, self.proxy, self.no_proxy, self.basic_auth, _read_cas(files), self.ca_dir)

    def merged(self, other: Network) -> Network:
        """CAs of both (a fleet's one browser trusts every site's CA files); the rest of self. The files were
        read already: their certificates are joined, not read again (a fleet merges once per site)."""
        files = tuple(dict.fromkeys(self.ca_files + other.ca_files))
        return Network(files, self.proxy, self.no_proxy, self.basic_auth, _joined(self._pem + other._pem),
                       self.ca_dir)


@functools.lru_cache(maxsize=8)
def _context_trusting(pem: bytes, capath: str | None = None) -> ssl.SSLContext:
    import certifi  # httpx's own dependency: its default bundle

    context = ssl.create_default_context(cafile=certifi.where())
    if pem:
        context.load_verify_locations(cadata=pem.decode("ascii"))
    if capath:
        context.load_verify_locations(capath=capath)  # looked up by hash when a chain needs it
    return context


@functools.lru_cache(maxsize=1)
def _public_cas() -> frozenset[bytes]:
    import certifi

    return frozenset(_body(pem) for pem in _PEM_CERT.findall(Path(certifi.where()).read_bytes()))


def _body(pem: bytes) -> bytes:
    return b"".join(pem.split()[2:-2])  # the base64 between the BEGIN and END lines, without line breaks


def network_from(ca_file: Path | None = None, proxy: str | None = None, http_auth_file: Path | None = None,
                 environ: dict | None = None) -> Network:
    """The way to the site from options, else the environment: $SSL_CERT_FILE (and, for REST only, as httpx
    read it, $SSL_CERT_DIR), $HTTPS_PROXY/$HTTP_PROXY
    (and lower-case spellings), $NO_PROXY, $MOODLE_HTTP_AUTH_FILE or $MOODLE_HTTP_USER/$MOODLE_HTTP_PASSWORD.
    Bad input raises PlaybookError (exit 2) with nothing started."""
    env = os.environ if environ is None else environ
    files = _ca_files(ca_file, env)
    folder = env.get("SSL_CERT_DIR", "").strip()
    return Network(ca_files=files, proxy=_proxy(proxy, env), no_proxy=_no_proxy(env),
                   basic_auth=_basic_auth(http_auth_file, env), _pem=_read_cas(files) if files else b"",
                   ca_dir=Path(folder) if folder and Path(folder).is_dir() else None)


def _ca_files(ca_file: Path | None, env) -> tuple[Path, ...]:
    if ca_file is not None:
        return (Path(ca_file),)
    from_env = env.get(CA_FILE_ENV, "").strip()
    return (Path(from_env),) if from_env else ()


def _read_cas(files: tuple[Path, ...]) -> bytes:
    pems = []
    for path in files:
        origin = f"--ca-file {path}"
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PlaybookError(f"{origin}: {exc.strerror}") from None
        found = _PEM_CERT.findall(data)
        if not found:
            raise PlaybookError(f"{origin}: no PEM certificate in it (expected '-----BEGIN CERTIFICATE-----' "
                                "blocks: the school's CA certificate, not its key)")
        try:
            ssl.create_default_context(cadata=b"\n".join(found).decode("ascii"))
        except (ssl.SSLError, UnicodeDecodeError) as exc:
            raise PlaybookError(f"{origin}: a certificate in it cannot be read ({exc})") from None
        pems += found
    return _joined(b"\n".join(pems))


def _joined(pem: bytes) -> bytes:
    """The certificates in `pem`, each once, in order; empty when there are none."""
    found = _PEM_CERT.findall(pem)
    return b"\n".join(dict.fromkeys(found)) + b"\n" if found else b""


@functools.lru_cache(maxsize=8)
def _not_public(pem: bytes) -> bytes:
    """The certificates of `pem` that certifi's bundle lacks (computed once per set: the driver, Chromium's
    launch and its NSS database each ask)."""
    if not pem:
        return b""
    public = _public_cas()
    return b"\n".join(cert for cert in _PEM_CERT.findall(pem) if _body(cert) not in public)


def _proxy(option: str | None, env) -> Proxy | None:
    raw, origin = option, "--proxy"
    if not raw:
        for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            if env.get(name, "").strip():
                raw, origin = env[name].strip(), f"${name}"
                break
    if not raw:
        return None
    if "://" not in raw:
        raw = "http://" + raw  # curl's and requests' reading of "proxy.school:3128"
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https", "socks5") or not parts.hostname:
        raise PlaybookError(f"{origin}: a proxy must look like http://proxy.example.org:3128")
    try:
        port = parts.port
    except ValueError:
        raise PlaybookError(f"{origin}: the proxy's port is not a number") from None
    netloc = parts.hostname if port is None else f"{parts.hostname}:{port}"
    if ":" in (parts.hostname or ""):  # IPv6
        netloc = f"[{parts.hostname}]" + (f":{port}" if port else "")
    password = Secret(unquote(parts.password)) if parts.password else None
    return Proxy(f"{parts.scheme}://{netloc}", unquote(parts.username) if parts.username else None, password)


def _no_proxy(env) -> tuple[str, ...]:
    raw = env.get("NO_PROXY") or env.get("no_proxy") or ""
    return tuple(entry.strip() for entry in raw.split(",") if entry.strip())


def _basic_auth(path: Path | None, env) -> BasicAuth | None:
    """user:password from a file (first line), else from $MOODLE_HTTP_USER and $MOODLE_HTTP_PASSWORD."""
    if path is None and env.get(HTTP_AUTH_FILE_ENV, "").strip():
        path = Path(env[HTTP_AUTH_FILE_ENV].strip())
    if path is not None:
        origin = f"--http-auth-file {path}"
        try:
            line = (Path(path).read_text(encoding="utf-8").splitlines() or [""])[0].strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise PlaybookError(f"{origin}: {getattr(exc, 'strerror', None) or 'not a text file'}") from None
        user, sep, password = line.partition(":")
        if not sep or not user:
            raise PlaybookError(f"{origin}: its first line must be user:password")
        return BasicAuth(user, Secret(password))
    user = env.get(HTTP_USER_ENV, "").strip()
    if not user:
        return None
    password = env.get(HTTP_PASSWORD_ENV, "")
    if not password:
        raise PlaybookError(f"${HTTP_USER_ENV} is set but ${HTTP_PASSWORD_ENV} is not")
    return BasicAuth(user, Secret(password))
