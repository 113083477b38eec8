"""The download path, at its boundary only: no real network is reached from these machines."""
import hashlib

import httpx
import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.download import DEFAULT_VERSION, branch_of, download_release, release_urls

ARCHIVE = b"pretend this is moodle-latest-405.tgz"


def serve(archive: bytes, checksums: dict[str, str], seen: list[str]) -> httpx.Client:
    """A fake download.moodle.org: checksum files by extension (missing ones are 404), else the package."""
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        extension = request.url.path.rsplit(".", 1)[1]
        if extension in ("sha256", "md5"):
            if extension not in checksums:
                return httpx.Response(404, text="Not found")
            return httpx.Response(200, text=f"{checksums[extension]}  moodle-latest-405.tgz\n")
        return httpx.Response(200, content=archive)
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_branch_numbers():
    assert branch_of("4.5") == "405" and branch_of("5.0") == "500" and branch_of("4.1") == "401"
    assert branch_of("5.1") == "501"
    with pytest.raises(SandboxError, match="major.minor"):
        branch_of("latest")


def test_urls_follow_moodles_download_layout():
    urls = release_urls("5.0")
    assert urls.archive == "https://download.moodle.org/download.php/direct/stable500/moodle-latest-500.tgz"
    assert urls.checksum("sha256") == "https://download.moodle.org/stable500/moodle-latest-500.tgz.sha256"
    assert urls.checksum("md5") == "https://download.moodle.org/stable500/moodle-latest-500.tgz.md5"
    assert DEFAULT_VERSION == "5.0"


def test_a_matching_sha256_keeps_the_archive(tmp_path):
    seen = []
    good = hashlib.sha256(ARCHIVE).hexdigest()
    path = download_release("4.5", tmp_path, client=serve(ARCHIVE, {"sha256": good}, seen))
    assert path.read_bytes() == ARCHIVE and path.name == "moodle-latest-405.tgz"
    urls = release_urls("4.5")
    assert seen == [urls.checksum("sha256"), urls.archive]  # checksum first, then the archive


def test_md5_is_used_where_no_sha256_is_published(tmp_path):
    seen = []
    path = download_release("4.5", tmp_path, client=serve(ARCHIVE, {"md5": hashlib.md5(ARCHIVE).hexdigest()}, seen))
    assert path.read_bytes() == ARCHIVE and seen[1].endswith(".md5")


def test_a_wrong_checksum_discards_the_download(tmp_path):
    with pytest.raises(SandboxError, match="checksum mismatch"):
        download_release("4.5", tmp_path, client=serve(ARCHIVE, {"sha256": "0" * 64}, []))
    assert list(tmp_path.iterdir()) == []


def test_no_published_checksum_is_refused_with_the_steps_by_hand(tmp_path):
    with pytest.raises(SandboxError, match="publishes no checksum") as raised:
        download_release("4.5", tmp_path, client=serve(ARCHIVE, {}, []))
    assert "--moodle-src" in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_no_network_says_exactly_how_to_download_by_hand(tmp_path):
    def refuse(request):
        raise httpx.ConnectError("no route", request=request)
    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(SandboxError) as raised:
        download_release("5.0", tmp_path, client=client)
    message = str(raised.value)
    assert message.startswith("cannot download Moodle 5.0 (ConnectError: no route)")
    assert "https://download.moodle.org/download.php/direct/stable500/moodle-latest-500.tgz" in message
    assert "https://download.moodle.org/stable500/moodle-latest-500.tgz.sha256" in message
    assert "provisioner sandbox up --moodle-src PATH/moodle-latest-500.tgz" in message
    assert "MOODLE_SRC=" in message


def test_an_http_error_on_the_package_leaves_nothing_behind(tmp_path):
    def handler(request):
        if request.url.path.endswith(".sha256"):
            return httpx.Response(200, text="a" * 64)
        return httpx.Response(503)
    with pytest.raises(SandboxError, match="cannot download Moodle 4.5 .*download it by hand"):
        download_release("4.5", tmp_path, client=httpx.Client(transport=httpx.MockTransport(handler)))
    assert list(tmp_path.iterdir()) == []
