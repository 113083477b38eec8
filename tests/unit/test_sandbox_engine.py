import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox import engine as engine_mod
from provisioner.sandbox.model import UpRequest, port_for
from provisioner.sandbox.source import download_needed, resolve_source
from provisioner.sandbox.engine import engine_for
from provisioner.sandbox.paths import SandboxPaths, check_name, state_home
from provisioner.sandbox.source import SourceCache
from provisioner.sandbox.state import SandboxState, save
from provisioner.secrets import Secret


def test_only_the_default_sandbox_has_a_default_port():
    assert port_for("default", None) == 8080
    assert port_for("other", 8090) == 8090
    with pytest.raises(SandboxError, match="needs a --port"):
        port_for("other", None)


def test_names_must_be_plain():
    assert check_name("pytest") == "pytest"
    with pytest.raises(SandboxError, match="bad sandbox name"):
        check_name("../etc")


def test_state_home_follows_provisioner_home(sandbox_home):
    assert state_home() == sandbox_home


def test_nothing_given_nor_cached_downloads_the_default_release(sandbox_home, fake_moodle, monkeypatch, tmp_path):
    archive = _archive_of(fake_moodle, tmp_path / "moodle-latest-500.tgz")
    asked = []
    monkeypatch.setattr("provisioner.sandbox.download.download_release",
                        lambda version, into: asked.append(version) or archive)
    assert download_needed(UpRequest()) == "5.0"
    tree = resolve_source(UpRequest())
    assert asked == ["5.0"] and tree.root.parent == SourceCache().root
    assert not archive.exists(), "unpacked into the cache, the archive is not kept twice"
    assert download_needed(UpRequest()) is None  # cached now


def test_a_failed_default_download_says_how_to_do_it_by_hand(sandbox_home):
    import httpx

    def refuse(request):
        raise httpx.ConnectError("no route", request=request)
    from provisioner.sandbox import download

    real = download.download_release
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(download, "download_release", lambda version, into: real(
            version, into, client=httpx.Client(transport=httpx.MockTransport(refuse))))
        with pytest.raises(SandboxError, match=r"cannot download Moodle 5\.0 .*--moodle-src PATH/moodle-latest-500"):
            resolve_source(UpRequest())


def _archive_of(tree, archive):
    import tarfile

    with tarfile.open(archive, "w:gz") as tarred:
        tarred.add(tree, arcname="moodle")
    return archive


def test_moodle_src_env_is_used_and_then_remembered(sandbox_home, fake_moodle, monkeypatch):
    monkeypatch.setenv("MOODLE_SRC", str(fake_moodle))
    first = resolve_source(UpRequest())
    monkeypatch.delenv("MOODLE_SRC")
    assert resolve_source(UpRequest()) == first  # from the cache now, no argument needed
    assert resolve_source(UpRequest(moodle_version="4.5")) == first


def test_a_source_of_another_version_than_asked_is_refused(sandbox_home, fake_moodle):
    with pytest.raises(SandboxError, match="--moodle-version 5.0 asked"):
        resolve_source(UpRequest(source=fake_moodle, moodle_version="5.0"))


def test_an_uncached_version_is_downloaded(sandbox_home, fake_moodle, monkeypatch, tmp_path):
    archive = _archive_of(fake_moodle, tmp_path / "moodle-latest-405.tgz")
    asked = []
    monkeypatch.setattr("provisioner.sandbox.download.download_release",
                        lambda version, into: asked.append(version) or archive)
    tree = resolve_source(UpRequest(moodle_version="4.5"), SourceCache())
    assert asked == ["4.5"] and tree.release.short == "4.5"


class FakeImages:
    def __init__(self, present: set[str]):
        self.present = present

    def get(self, image: str):
        import docker

        if image not in self.present:
            raise docker.errors.ImageNotFound(image)
        return image


class FakeClient:
    def __init__(self, present: set[str]):
        self.images = FakeImages(present)

    def close(self) -> None:
        pass


def test_auto_means_docker_only_where_an_engine_answers_and_holds_the_images(monkeypatch):
    import docker

    monkeypatch.delenv("MOODLE_PHP_IMAGE", raising=False)
    monkeypatch.delenv("MOODLE_DB_IMAGE", raising=False)
    present: set[str] = set()
    monkeypatch.setattr(docker, "from_env", lambda **_: FakeClient(present))
    monkeypatch.setattr(engine_mod, "docker_answers", lambda: False)
    assert engine_mod.choose_engine("auto").name == "native"
    monkeypatch.setattr(engine_mod, "docker_answers", lambda: True)
    assert engine_mod.choose_engine("auto").name == "native"  # no image: a docker sandbox could only fail
    present |= {"moodlehq/moodle-php-apache:8.2", "postgres:16"}
    assert engine_mod.choose_engine("auto").name == "docker"
    # Images named on the command line are the ones that count.
    wanted = {"php": "mirror.example/php:8.2", "db": "mirror.example/pg:15"}
    assert engine_mod.choose_engine("auto", wanted).name == "native"
    present |= set(wanted.values())
    assert engine_mod.choose_engine("auto", wanted).name == "docker"


def test_an_existing_sandbox_keeps_its_engine(sandbox_home, monkeypatch):
    monkeypatch.setattr(engine_mod, "docker_answers", lambda: True)
    save(SandboxState(name="default", engine="native", port=8080, version="5.0", release="5.0",
                      admin_user="admin", admin_password=Secret("pw-pw-pw")),
         SandboxPaths("default").state_file)
    assert engine_for("default").name == "native"
    with pytest.raises(SandboxError, match="runs on the native engine, not docker"):
        engine_for("default", "docker")
