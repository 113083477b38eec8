import socket
import sys
import time

import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.process import (is_alive, kill_group, port_is_free, require_free_port,
                                         start_detached, tail, wait_for_http)


def test_a_port_in_use_is_refused_with_a_hint():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert not port_is_free(port)
        with pytest.raises(SandboxError, match=rf"port {port} is in use .*--port"):
            require_free_port(port)
    assert port_is_free(port)


def test_a_detached_group_is_stopped_children_and_all(tmp_path):
    # a parent with a child, like php -S with PHP_CLI_SERVER_WORKERS
    script = "import subprocess, time; subprocess.Popen(['sleep', '300']); time.sleep(300)"
    pid = start_detached([sys.executable, "-c", script], cwd=tmp_path, log=tmp_path / "log", env={})
    time.sleep(0.5)
    assert is_alive(pid, "subprocess")
    assert not is_alive(pid, "something else")  # a reused pid would not match
    kill_group(pid, "subprocess", timeout=5)
    assert not is_alive(pid)
    with open("/proc/self/stat"):  # the child sleep is gone too: no process has pgid == pid
        pass
    from provisioner.sandbox.process import _group_alive
    assert not _group_alive(pid)


def test_waiting_stops_early_when_the_server_died():
    with pytest.raises(SandboxError, match="stopped before"):
        wait_for_http("http://127.0.0.1:9/", timeout=5, alive=lambda: False, what="php -S")


def test_tail_of_a_missing_log():
    assert tail(__import__("pathlib").Path("/nonexistent/log")) == "(no log at /nonexistent/log)"
