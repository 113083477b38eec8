"""The docker engine at its boundary: a mock SDK client records what would be asked of Docker.
Nothing here starts a container; tests/integration/test_sandbox_docker_lifecycle.py runs the engine for real."""
import shutil
import subprocess
from types import SimpleNamespace
from unittest import mock

import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.docker import compose
from provisioner.sandbox.docker.engine import DockerEngine
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.engine import docker_answers
from provisioner.sandbox.paths import SandboxPaths


def installing(argv, **kwargs):
    """exec_run answering 0 to everything; install.php leaves a config.php, as Moodle's does."""
    if "admin/cli/install.php" in argv:
        wwwroot = next(arg.split("=", 1)[1] for arg in argv if arg.startswith("--wwwroot="))
        (SandboxPaths("qa").code / "config.php").write_text(f"<?php // installed\n$CFG->wwwroot = '{wwwroot}';\n")
    return SimpleNamespace(exit_code=0, output=b"")


def streamed_through_exec_run(fake) -> None:
    """The low-level exec API (install.php's output is streamed for its progress) answers as exec_run
    does, and is recorded with it."""
    answers = []

    def create(container_id, argv, **kwargs):
        answers.append(fake.containers.get.return_value.exec_run(argv, **kwargs))
        return {"Id": len(answers) - 1}
    fake.api.exec_create.side_effect = create
    fake.api.exec_start.side_effect = lambda exec_id, stream: iter([answers[exec_id].output])
    fake.api.exec_inspect.side_effect = lambda exec_id: {"ExitCode": answers[exec_id].exit_code}


@pytest.fixture
def client():
    fake = mock.MagicMock(name="docker-client")
    fake.containers.get.return_value.exec_run.side_effect = installing
    streamed_through_exec_run(fake)
    fake.containers.list.return_value = []
    fake.volumes.list.return_value = []
    fake.networks.list.return_value = []
    return fake


@pytest.fixture
def no_waiting(monkeypatch):
    monkeypatch.setattr("provisioner.sandbox.docker.engine.wait_for_http", lambda *a, **k: None)
    monkeypatch.setattr("provisioner.sandbox.docker.engine.require_free_port", lambda port: None)


def exec_commands(client) -> list[list[str]]:
    return [c.args[0] for c in client.containers.get.return_value.exec_run.call_args_list]


def test_compose_file_is_valid_for_docker_compose(tmp_path):
    binary = shutil.which("docker-compose")
    if not binary:
        pytest.skip("docker-compose not installed (Debian: apt-get install docker-compose)")
    done = subprocess.run([binary, "-f", str(compose.COMPOSE_FILE), "config", "-q"], capture_output=True,
                          text=True, env={"MOODLE_CODE": str(tmp_path), "MOODLE_PORT": "8080", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr


def test_compose_services_become_sdk_arguments(tmp_path, monkeypatch):
    monkeypatch.delenv("MOODLE_PHP_IMAGE", raising=False)  # .ci/run sets it to the stand-in
    spec = compose.load({"MOODLE_CODE": str(tmp_path), "MOODLE_PORT": "8123"})
    args = compose.run_arguments("qa", "moodle", spec["services"]["moodle"])
    assert args["name"] == "mp-qa-moodle" and args["network"] == "mp-qa_default"  # as docker-compose -p mp-qa
    assert args["image"] == "moodlehq/moodle-php-apache:8.2"
    assert args["ports"] == {"80/tcp": ("127.0.0.1", 8123)}
    assert args["volumes"][str(tmp_path)] == {"bind": "/var/www/html", "mode": "rw"}
    assert args["volumes"]["mp-qa_moodledata"]["bind"] == "/var/www/moodledata"
    assert args["environment"]["PHP_INI-max_input_vars"] == "5000"
    assert args["labels"][compose.LABEL] == "qa"
    db = compose.run_arguments("qa", "db", spec["services"]["db"])
    assert db["command"][:2] == ["-c", "fsync=off"]  # a sandbox's database need not survive a crash


def test_images_are_variables_of_the_compose_file(tmp_path, monkeypatch):
    monkeypatch.delenv("MOODLE_DB_IMAGE", raising=False)
    spec = compose.load({"MOODLE_CODE": str(tmp_path), "MOODLE_PHP_IMAGE": "mirror.example/php:8.2"})
    assert compose.images(spec) == {"db": "postgres:16", "moodle": "mirror.example/php:8.2"}


def test_compose_needs_the_code_folder(monkeypatch):
    monkeypatch.delenv("MOODLE_CODE", raising=False)
    with pytest.raises(SandboxError, match="needs MOODLE_CODE"):
        compose.load({})


def test_up_creates_db_then_moodle_installs_and_keeps_a_template(sandbox_home, fake_moodle, client, no_waiting):
    state = DockerEngine(client).up(UpRequest(name="qa", port=8123, source=fake_moodle))
    runs = client.containers.run.call_args_list
    assert [c.kwargs["name"] for c in runs if "name" in c.kwargs] == ["mp-qa-db", "mp-qa-moodle"]
    aliases = [c.kwargs["aliases"] for c in client.api.create_endpoint_config.call_args_list]
    assert aliases == [["db"], ["moodle"]]  # install.php reaches PostgreSQL as --dbhost=db
    assert ["chown", "www-data:", "/var/www/html"] in exec_commands(client)  # config.php is written there
    install = next(cmd for cmd in exec_commands(client) if "admin/cli/install.php" in cmd)
    assert "--wwwroot=http://127.0.0.1:8123" in install and "--dbhost=db" in install
    assert f"--adminpass={state.admin_password.reveal()}" in install
    assert any("CREATE DATABASE moodle_template TEMPLATE moodle" in cmd for cmd in exec_commands(client))
    assert state.installed and state.engine == "docker"
    # ...and kept for new sandboxes of the release: the stopped db's volume copied into the template's
    copies = [c.kwargs for c in runs if c.kwargs.get("labels") == {"moodle-provisioner.template": "copy"}]
    assert len(copies) == 1 and "mp-qa_dbdata" in copies[0]["volumes"]
    client.containers.get.return_value.stop.assert_called()
    from provisioner.sandbox.templates import TemplateStore
    assert [t.url for t in TemplateStore("docker").entries()] == ["http://127.0.0.1:8123"]


def test_a_second_sandbox_of_a_kept_release_is_a_copy_moved_to_its_url(sandbox_home, fake_moodle, client,
                                                                       no_waiting):
    engine = DockerEngine(client)
    first = engine.up(UpRequest(name="qa", port=8123, source=fake_moodle))
    client.reset_mock()
    client.containers.list.return_value = []
    second = engine.up(UpRequest(name="qb", port=8124, source=fake_moodle))
    assert not any("--agree-license" in cmd for cmd in exec_commands(client))  # no installer
    replace = next(cmd for cmd in exec_commands(client) if any("replace.php" in part for part in cmd))
    assert "--search=http://127.0.0.1:8123" in replace and "--replace=http://127.0.0.1:8124" in replace
    assert second.admin_password.reveal() == first.admin_password.reveal()  # the copy's admin is the kept one
    assert "'http://127.0.0.1:8124'" in (SandboxPaths("qb").code / "config.php").read_text()


def test_a_failed_install_shows_moodles_message_and_stops_the_containers(sandbox_home, fake_moodle, client, no_waiting):
    def exec_run(argv, **kwargs):
        if "admin/cli/install.php" in argv:
            return SimpleNamespace(exit_code=1, output=b"== Setting up database ==\nError: Database connection failed\n")
        return SimpleNamespace(exit_code=0, output=b"")
    client.containers.get.return_value.exec_run.side_effect = exec_run
    running = mock.MagicMock(status="running")
    client.containers.run.side_effect = lambda **kwargs: setattr(client.containers.list, "return_value", [running])
    with pytest.raises(SandboxError, match="Moodle install failed: Error: Database connection failed"):
        DockerEngine(client).up(UpRequest(name="qa", port=8123, source=fake_moodle))
    running.stop.assert_called_once()
    running.remove.assert_called_once()


def test_reset_recreates_the_database_and_moodledata_from_the_template(sandbox_home, fake_moodle, client, no_waiting):
    engine = DockerEngine(client)
    engine.up(UpRequest(name="qa", port=8123, source=fake_moodle))
    client.containers.get.return_value.exec_run.reset_mock()
    engine.reset("qa")
    sql, files = exec_commands(client)
    assert "DROP DATABASE moodle WITH (FORCE)" in sql and "CREATE DATABASE moodle TEMPLATE moodle_template" in sql
    assert "cp -a /var/www/moodledata.template/." in files[-1]


def test_down_removes_this_sandboxs_containers_and_network_and_keeps_its_volumes(sandbox_home, client):
    mine = mock.MagicMock(status="running")
    client.containers.list.return_value = [mine]
    network, other_network = mock.MagicMock(), mock.MagicMock()
    network.name, other_network.name = "mp-qa_default", "mp-qa_default2"
    client.networks.list.return_value = [network, other_network]
    volume = mock.MagicMock()
    volume.name = "mp-qa_dbdata"
    client.volumes.list.return_value = [volume]

    DockerEngine(client).down("qa")

    client.containers.list.assert_called_with(all=True, filters={"label": f"{compose.LABEL}=qa"})
    mine.remove.assert_called_once()
    network.remove.assert_called_once()
    other_network.remove.assert_not_called()
    volume.remove.assert_not_called()
    DockerEngine(client).down("qa", purge=True)
    volume.remove.assert_called_once()


def test_with_pull_never_a_missing_image_is_named_with_how_to_get_it_and_nothing_is_pulled(sandbox_home, fake_moodle,
                                                                                            client):
    import docker

    client.images.get.side_effect = docker.errors.ImageNotFound("absent")
    with pytest.raises(SandboxError) as raised:
        DockerEngine(client).up(UpRequest(name="qa", port=8123, source=fake_moodle, pull="never",
                                          php_image="moodle-provisioner/php-apache:8.2", db_image="postgres:16"))
    assert "build moodle-provisioner/php-apache:8.2 with `docker/standin/build.sh`" in str(raised.value)
    assert "pull postgres:16 (--pull missing, or `docker pull IMAGE`)" in str(raised.value)
    client.api.pull.assert_not_called()
    client.containers.run.assert_not_called()


class Recorded:
    """A Progress that keeps what it was told."""
    def __init__(self):
        self.events = []

    def start(self, label, unit=""):
        self.events.append(("start", label, unit))
        recorded = self

        class Task:
            def update(self, done, total=None):
                recorded.events.append(("update", done, total))

            def finish(self):
                recorded.events.append(("finish",))
        return Task()


def test_missing_images_are_pulled_as_compose_does_with_progress_per_image(sandbox_home, fake_moodle, client,
                                                                          no_waiting):
    import docker

    pulled = set()
    client.images.get.side_effect = lambda image: (image in pulled or image == "postgres:16") or (
        _ for _ in ()).throw(docker.errors.ImageNotFound(image))

    def pull(image, stream, decode):
        yield {"status": "Downloading", "id": "l1", "progressDetail": {"current": 5, "total": 10}}
        yield {"status": "Downloading", "id": "l2", "progressDetail": {"current": 1, "total": 30}}
        yield {"status": "Pull complete", "id": "l1", "progressDetail": {}}
        pulled.add(image)
    client.api.pull.side_effect = pull
    progress = Recorded()
    DockerEngine(client, progress).up(UpRequest(name="qa", port=8123, source=fake_moodle,
                                                php_image="mirror.example/php:8.2", db_image="postgres:16"))
    assert [c.args[0] for c in client.api.pull.call_args_list] == ["mirror.example/php:8.2"]  # not the local one
    assert progress.events[0] == ("start", "pulling mirror.example/php:8.2", "bytes")
    assert ("update", 6, 40) in progress.events and ("update", 11, 40) in progress.events
    assert progress.events[-1] == ("finish",)


def test_a_failed_pull_names_the_image_and_the_setting_for_a_mirror(sandbox_home, fake_moodle, client):
    import docker

    def local(image):
        if image == "php:x":
            raise docker.errors.ImageNotFound(image)
    client.images.get.side_effect = local
    client.api.pull.side_effect = docker.errors.APIError("Get https://registry-1.docker.io/v2/: dial tcp: timeout")
    with pytest.raises(SandboxError) as raised:
        DockerEngine(client).up(UpRequest(name="qa", port=8123, source=fake_moodle, php_image="php:x",
                                          db_image="postgres:16"))
    message = str(raised.value)
    assert message.startswith("cannot pull php:x: ") and "dial tcp: timeout" in message
    assert "MOODLE_PHP_IMAGE" in message and "registry-mirrors" in message
    assert "Traceback" not in message
    client.containers.run.assert_not_called()


def test_an_installed_sandbox_keeps_its_images(sandbox_home, fake_moodle, client, no_waiting):
    engine = DockerEngine(client)
    engine.up(UpRequest(name="qa", port=8123, source=fake_moodle, php_image="mirror.example/php:8.2"))
    with pytest.raises(SandboxError, match="installed with --php-image mirror.example/php:8.2"):
        engine.up(UpRequest(name="qa", php_image="other/php:8.2"))


def test_moodle_51s_public_layout_is_installed_with_the_installer_where_the_tree_keeps_it(
        sandbox_home, make_moodle, tmp_path, client, no_waiting):
    tree = make_moodle(tmp_path / "m51" / "moodle", release="5.1 (Build: 20251006)", version="2025100600.00",
                       public=True, cli_at_root=True)
    DockerEngine(client).up(UpRequest(name="qa", port=8123, source=tree))
    installs = [argv for argv in exec_commands(client) if "--agree-license" in argv]
    assert installs and installs[0][:2] == ["php", "admin/cli/install.php"]


def test_no_docker_engine_means_auto_picks_native(monkeypatch):
    import docker

    monkeypatch.setattr(docker, "from_env", mock.Mock(side_effect=docker.errors.DockerException("no socket")))
    assert docker_answers() is False


def test_moodles_command_line_runs_in_the_container_on_the_mounted_code_copy(tmp_path, fake_moodle):
    from provisioner.sandbox.docker.site_cli import DockerSiteCli
    from provisioner.sandbox.source import open_tree

    seen = []

    def run(argv, environment):
        script = fake_moodle / argv[-1].removeprefix("/var/www/html/")
        seen.append((argv, environment, script.exists() and script.read_text()))
        return 0, '{"answer": 42}\n', ""

    cli = DockerSiteCli(run, open_tree(fake_moodle), tmp_path / "config.template")

    assert cli.php_json("echo json_encode(['answer' => 42]);") == {"answer": 42}
    argv, environment, text = seen[0]
    assert argv[0] == "php" and argv[-1].startswith("/var/www/html/.sandbox-")  # copied into the mounted copy
    assert "require('/var/www/html/config.php');" in text
    assert environment == {"MOODLE_PROVISIONER_CONFIG": "/var/www/html/config.php"}
    assert not list(fake_moodle.glob(".sandbox-*"))  # and removed after the run
    cli.cfg("noreplyaddress")
    assert seen[-1][0][-2:] == ["/var/www/html/admin/cli/cfg.php", "--name=noreplyaddress"]


def test_a_site_under_a_sub_path_gets_a_document_root_of_its_own(sandbox_home, fake_moodle, client, no_waiting):
    state = DockerEngine(client).up(UpRequest(name="qa", port=8391, source=fake_moodle, path="/school/moodle"))
    assert state.url == "http://127.0.0.1:8391/school/moodle"
    moodle = next(c.kwargs for c in client.containers.run.call_args_list if c.kwargs.get("name") == "mp-qa-moodle")
    served = SandboxPaths("qa").root / "web"
    assert moodle["volumes"][str(served)] == {"bind": "/var/www/site", "mode": "ro"}
    assert moodle["environment"]["APACHE_DOCUMENT_ROOT"] == "/var/www/site"
    assert (served / "school" / "moodle").readlink().as_posix() == "/var/www/html"  # as the container sees it
    install = next(cmd for cmd in exec_commands(client) if "--agree-license" in cmd)
    assert "--wwwroot=http://127.0.0.1:8391/school/moodle" in install