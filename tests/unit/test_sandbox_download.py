"""The download path, at its boundary only: no real network is reached from these machines."""
import hashlib

import httpx
import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.download import branch_of, download_release, release_urls

ARCHIVE = b"pretend this is moodle-latest-405.tgz"


def serve(archive: bytes, checksum: str, seen: list[str]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path.endswith(".sha256"):
            return httpx.Response(200, text=f"{checksum}  moodle-latest-405.tgz\n")
        return httpx.Response(200, content=archive)
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_branch_numbers():
    assert branch_of("4.5") == "405" and branch_of("5.0") == "500" and branch_of("4.1") == "401"
    with pytest.raises(SandboxError, match="major.minor"):
        branch_of("latest")


def test_a_matching_checksum_keeps_the_archive(tmp_path):
    seen = []
    good = hashlib.sha256(ARCHIVE).hexdigest()
    path = download_release("4.5", tmp_path, client=serve(ARCHIVE, good, seen))
    assert path.read_bytes() == ARCHIVE and path.name == "moodle-latest-405.tgz"
    assert seen == list(reversed(release_urls("4.5")))  # checksum first, then the archive


def test_a_wrong_checksum_discards_the_download(tmp_path):
    with pytest.raises(SandboxError, match="checksum mismatch"):
        download_release("4.5", tmp_path, client=serve(ARCHIVE, "0" * 64, []))
    assert list(tmp_path.iterdir()) == []


def test_no_network_says_what_to_do_instead(tmp_path):
    def refuse(request):
        raise httpx.ConnectError("no route", request=request)
    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(SandboxError, match="pass --moodle-src"):
        download_release("4.5", tmp_path, client=client)
