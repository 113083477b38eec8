"""Download a Moodle release where the network allows, and refuse it unless its checksum matches.

The URLs follow Moodle's download layout: each stable branch NNN ("500" for 5.0) has a folder
https://download.moodle.org/stableNNN/ holding the packages, among them moodle-latest-NNN.tgz (the
newest build of the branch), each next to its .sha256 and .md5 files; download.php/direct/stableNNN/
serves the same package without the "thank you" page. Only the boundary is tested here
(httpx.MockTransport): this project's machines reach no download.moodle.org.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import httpx

from provisioner.errors import SandboxError

BASE = "https://download.moodle.org"
# What `sandbox up` installs when given nothing and nothing is cached: the release the full
# integration suite runs on.
DEFAULT_VERSION = "5.0"
_CHECKSUMS = (("sha256", 64), ("md5", 32))  # Moodle publishes both; the stronger is preferred


def branch_of(version: str) -> str:
    """"4.5" -> "405", "5.0" -> "500": the number in Moodle's stableNNN download folders."""
    match = re.fullmatch(r"(\d+)\.(\d+)", version.strip())
    if not match:
        raise SandboxError(f"--moodle-version wants major.minor like 4.5, not {version!r}")
    return f"{int(match.group(1))}{int(match.group(2)):02d}"


@dataclass(frozen=True)
class ReleaseUrls:
    version: str
    archive: str  # the package itself
    folder: str   # the branch's folder, where the checksum files sit next to the package

    @property
    def name(self) -> str:
        return self.archive.rsplit("/", 1)[1]

    def checksum(self, algorithm: str) -> str:
        return f"{self.folder}/{self.name}.{algorithm}"

    def by_hand(self) -> str:
        """What a person does where this machine cannot download: the exact steps."""
        return (f"download it by hand from {self.archive} (checksum: {self.checksum('sha256')}; "
                f"check with `sha256sum -c {self.name}.sha256`), then pass it: "
                f"`provisioner sandbox up --moodle-src PATH/{self.name}` "
                f"(or MOODLE_SRC=PATH/{self.name} for `provisioner run --sandbox`); it is cached for later runs")


def release_urls(version: str) -> ReleaseUrls:
    branch = branch_of(version)
    name = f"moodle-latest-{branch}.tgz"
    return ReleaseUrls(version, f"{BASE}/download.php/direct/stable{branch}/{name}", f"{BASE}/stable{branch}")


def download_release(version: str, into: Path, client: httpx.Client | None = None) -> Path:
    urls = release_urls(version)
    into.mkdir(parents=True, exist_ok=True)
    target = into / urls.name
    partial = target.with_name(target.name + ".partial")
    own_client = client is None
    client = client or httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0, read=120.0))
    try:
        algorithm, expected = _published_checksum(client, urls)
        digest = hashlib.new(algorithm)
        with client.stream("GET", urls.archive) as stream, partial.open("wb") as out:
            stream.raise_for_status()
            for chunk in stream.iter_bytes():
                digest.update(chunk)
                out.write(chunk)
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise SandboxError(f"cannot download Moodle {version} ({_describe(exc)}); {urls.by_hand()}") from exc
    finally:
        if own_client:
            client.close()
    if digest.hexdigest() != expected:
        partial.unlink(missing_ok=True)
        raise SandboxError(f"checksum mismatch for {urls.archive}: {algorithm} expected {expected}, "
                           f"got {digest.hexdigest()}; the download was discarded. Try again, or {urls.by_hand()}")
    partial.replace(target)
    return target


def _published_checksum(client: httpx.Client, urls: ReleaseUrls) -> tuple[str, str]:
    """The sha256 Moodle publishes next to the package, else its md5; a package without either is
    refused rather than installed unchecked."""
    for algorithm, length in _CHECKSUMS:
        answer = client.get(urls.checksum(algorithm))
        if answer.status_code == 404:
            continue
        answer.raise_for_status()
        found = re.search(rf"\b[0-9a-f]{{{length}}}\b", answer.text.lower())
        if not found:
            raise SandboxError(f"no {algorithm} checksum in {urls.checksum(algorithm)}; {urls.by_hand()}")
        return algorithm, found.group(0)
    raise SandboxError(f"Moodle publishes no checksum for {urls.archive} (no .sha256 nor .md5 next to "
                       f"it): not installed unchecked; {urls.by_hand()}")


def _describe(exc: httpx.HTTPError) -> str:
    """One line: httpx's own message for a status error runs to two, with a link to MDN."""
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code} from {exc.request.url}"
    return f"{type(exc).__name__}: {exc}"
