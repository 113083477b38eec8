import stat

from provisioner.sandbox.state import SandboxState, load, save
from provisioner.secrets import Secret


def sample() -> SandboxState:
    return SandboxState(name="default", engine="native", port=8080, version="5.0",
                        release="5.0.6+ (Build: 20260403)", admin_user="admin",
                        admin_password=Secret("S3cret-pass!"), pids={"php": 123})


def test_state_round_trips_and_is_private(tmp_path):
    path = tmp_path / "state.json"
    save(sample(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load(path)
    assert loaded.admin_password.reveal() == "S3cret-pass!"
    assert loaded.url == "http://127.0.0.1:8080" and loaded.pids == {"php": 123}


def test_password_never_shows_in_repr():
    assert "S3cret-pass!" not in repr(sample())


def test_absent_state_is_none(tmp_path):
    assert load(tmp_path / "nothing.json") is None


def test_a_site_under_a_sub_path_has_it_in_its_url_and_older_state_files_have_none(tmp_path):
    path = tmp_path / "state.json"
    site = sample()
    site.path = "/moodle"
    save(site, path)
    assert load(path).url == "http://127.0.0.1:8080/moodle"
    older = path.read_text().replace('"path": "/moodle",', "")
    path.write_text(older)
    assert load(path).path == "" and load(path).url == "http://127.0.0.1:8080"
