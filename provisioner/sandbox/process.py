"""Processes that outlive the CLI: start detached, find out if alive, stop with their children."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from provisioner.errors import SandboxError


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def require_free_port(port: int) -> None:
    if not port_is_free(port):
        raise SandboxError(f"port {port} is in use on 127.0.0.1: stop what listens there "
                           f"(ss -ltnp 'sport = :{port}') or pick another with --port")


def start_detached(argv: list[str], *, cwd: Path, log: Path, env: dict[str, str]) -> int:
    """Start in a new session so the process survives the CLI and its group can be killed whole
    (php -S forks PHP_CLI_SERVER_WORKERS children)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                env={**os.environ, **env}, start_new_session=True)
    return proc.pid


def is_alive(pid: int | None, must_contain: str = "") -> bool:
    """True if pid runs and its command line contains must_contain (guards against pid reuse)."""
    if not pid:
        return False
    for _ in range(50):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        if cmdline or status == "Z":
            return status != "Z" and must_contain in cmdline
        # An empty command line: a process just started is still in exec (measured: 6 of 10 php -S
        # read right after Popen returned), so look again rather than call it dead.
        time.sleep(0.01)
    return False


def kill_group(pid: int, must_contain: str = "", timeout: float = 10.0) -> None:
    """SIGTERM the process group led by pid, then SIGKILL what is left after timeout."""
    if not is_alive(pid, must_contain):
        return
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            _reap(pid)
            if not _group_alive(pid):
                return
            time.sleep(0.05)
    raise SandboxError(f"process group {pid} did not stop after SIGKILL")


def wait_until_gone(pid: int | None, must_contain: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while is_alive(pid, must_contain):
        _reap(pid)
        if time.monotonic() > deadline:
            raise SandboxError(f"process {pid} ({must_contain}) still running after {timeout:.0f} s")
        time.sleep(0.05)


def _reap(pid: int) -> None:
    try:  # our own child when started in this process (tests, bench): collect it
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _group_alive(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                return True
    return False


def wait_for_http(url: str, *, timeout: float, alive=lambda: True, what: str = "site") -> None:
    """Poll until url answers 200; fail early if the server died."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if not alive():
            raise SandboxError(f"{what} stopped before {url} answered ({last})")
        try:
            answer = httpx.get(url, timeout=30.0)
            if answer.status_code == 200:
                return
            last = f"HTTP {answer.status_code}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.25)
    raise SandboxError(f"{url} did not answer 200 within {timeout:.0f} s ({last})")


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"
