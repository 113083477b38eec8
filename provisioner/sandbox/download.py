"""Download a Moodle release where the network allows, and refuse it unless its sha256 matches.

Only the boundary is tested here (httpx.MockTransport): this project's machines reach no
download.moodle.org, so the URLs below have not been exercised against the real site.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import httpx

from provisioner.errors import SandboxError

BASE = "https://download.moodle.org"


def branch_of(version: str) -> str:
    """"4.5" -> "405", "5.0" -> "500": the number in Moodle's stableNNN download folders."""
    match = re.fullmatch(r"(\d+)\.(\d+)", version.strip())
    if not match:
        raise SandboxError(f"--moodle-version wants major.minor like 4.5, not {version!r}")
    return f"{int(match.group(1))}{int(match.group(2)):02d}"


def release_urls(version: str) -> tuple[str, str]:
    branch = branch_of(version)
    name = f"moodle-latest-{branch}.tgz"
    return (f"{BASE}/download.php/direct/stable{branch}/{name}", f"{BASE}/stable{branch}/{name}.sha256")


def download_release(version: str, into: Path, client: httpx.Client | None = None) -> Path:
    archive_url, checksum_url = release_urls(version)
    into.mkdir(parents=True, exist_ok=True)
    target = into / archive_url.rsplit("/", 1)[1]
    partial = target.with_name(target.name + ".partial")
    own_client = client is None
    client = client or httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0, read=120.0))
    try:
        answer = client.get(checksum_url)
        answer.raise_for_status()
        expected = re.search(r"\b[0-9a-f]{64}\b", answer.text.lower())
        if not expected:
            raise SandboxError(f"no sha256 in {checksum_url}")
        digest = hashlib.sha256()
        with client.stream("GET", archive_url) as stream, partial.open("wb") as out:
            stream.raise_for_status()
            for chunk in stream.iter_bytes():
                digest.update(chunk)
                out.write(chunk)
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise SandboxError(f"cannot download Moodle {version} ({exc}); without network access, "
                           "pass --moodle-src with a release archive instead") from exc
    finally:
        if own_client:
            client.close()
    if digest.hexdigest() != expected.group(0):
        partial.unlink(missing_ok=True)
        raise SandboxError(f"checksum mismatch for {archive_url}: expected {expected.group(0)}, "
                           f"got {digest.hexdigest()}; the download was discarded")
    partial.replace(target)
    return target
