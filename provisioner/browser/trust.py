"""Making Playwright's two HTTP stacks take the network's way to a site: Node (the driver's HTTP client,
reading pages without rendering) and Chromium (pages rendered). Each trusts CAs its own way: Node reads
NODE_EXTRA_CA_CERTS once when it starts; Chromium on Linux trusts, beside its own roots, an NSS database
under $HOME/.pki/nssdb. A proxy and basic authentication are set per context, for the site."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from provisioner.errors import ProvisionerError
from provisioner.network import Network
from provisioner.user_dirs import cache_dir

_driver_env = threading.Lock()  # the environment is the process's: one driver starts at a time


@contextmanager
def driver(network: Network):
    """Playwright's driver (Node), trusting the network's CA files: Node reads NODE_EXTRA_CA_CERTS once, when
    it starts, and the driver's HTTP client (pages read without rendering) verifies with Node's CAs."""
    with ExitStack() as stack:
        extra_cas = None
        if network.trusts_more:  # the user's own NODE_EXTRA_CA_CERTS is kept, the network's CAs added
            inherited = os.environ.get("NODE_EXTRA_CA_CERTS")
            extra_cas = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="provisioner-ca-"))) / "ca.pem"
            kept = Path(inherited).read_bytes() if inherited and Path(inherited).is_file() else b""
            extra_cas.write_bytes(kept + b"\n" + network.extra_pem())
        manager = sync_playwright()
        with _driver_env:
            earlier = os.environ.get("NODE_EXTRA_CA_CERTS")
            if extra_cas is not None:
                os.environ["NODE_EXTRA_CA_CERTS"] = str(extra_cas)
            try:
                playwright = manager.__enter__()
            except Exception as exc:  # noqa: BLE001  (Node exits at once: a broken pipe, not a Playwright error)
                raise ProvisionerError(f"Playwright's driver (Node) did not start ({type(exc).__name__}): see "
                                       "the line above; on a slim Debian/Ubuntu image it needs libatomic1") from None
            finally:
                _restore("NODE_EXTRA_CA_CERTS", earlier)
        try:
            yield playwright
        finally:
            manager.__exit__(None, None, None)


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def chromium_env(network: Network, folder: str) -> dict:
    """The environment Chromium is launched with: a HOME of its own (`folder`) whose NSS database trusts the
    network's CAs. The database is built once per set of CAs (certutil, from NSS's tools: Debian's
    libnss3-tools) and kept in the cache folder; each launch takes a copy, as Chromium writes to it."""
    db = Path(folder) / ".pki" / "nssdb"
    shutil.copytree(_kept_nss_db(network.extra_pem()), db)
    return dict(os.environ, HOME=folder)


def _kept_nss_db(pem: bytes) -> Path:
    cache = cache_dir() / "nssdb"
    kept = cache / hashlib.sha256(pem).hexdigest()[:16]
    if (kept / "cert9.db").is_file():
        return kept
    certutil = shutil.which("certutil")
    if certutil is None:
        raise ProvisionerError("trusting a CA file in Chromium needs NSS's certutil: install it (Debian/Ubuntu: "
                               "libnss3-tools; Fedora: nss-tools)")
    cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=cache))
    try:
        _certutil(certutil, "-N", "-d", f"sql:{building}", "--empty-password")
        batch = []
        for index, body in enumerate(p for p in pem.split(b"-----END CERTIFICATE-----") if b"BEGIN" in p):
            cert = building / f"ca-{index}.pem"
            cert.write_bytes(body.strip() + b"\n-----END CERTIFICATE-----\n")
            batch.append(f"-A -n provisioner-ca-{index} -t C,, -i {cert}")
        (building / "batch").write_text("\n".join(batch) + "\n")
        _certutil(certutil, "-B", "-d", f"sql:{building}", "-i", str(building / "batch"))  # one process for all
        for leftover in [*building.glob("ca-*.pem"), building / "batch"]:
            leftover.unlink()
        try:
            building.rename(kept)
        except OSError:  # another run kept the same one meanwhile
            shutil.rmtree(building, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return kept


def _certutil(*args: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise ProvisionerError(f"certutil could not add the CA files for Chromium: {done.stderr.strip()[:200]}")


def site_network(network: Network, site_url: str | None) -> dict:
    """A context's (and a bare HTTP client's) proxy and basic authentication for the site."""
    settings: dict = {}
    proxy = network.proxy_for(site_url) if site_url else network.proxy
    if proxy is not None:
        settings["proxy"] = {"server": proxy.server, "bypass": ",".join(network.no_proxy) or None}
        if proxy.username:
            settings["proxy"].update(username=proxy.username,
                                     password=proxy.password.reveal() if proxy.password else "")
    if network.basic_auth is not None and site_url:
        parts = urlsplit(site_url)
        settings["http_credentials"] = {"username": network.basic_auth.username,
                                        "password": network.basic_auth.password.reveal(),
                                        "origin": f"{parts.scheme}://{parts.netloc}"}
    return settings
