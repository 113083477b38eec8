"""What a sandbox is, written to <sandbox>/state.json (mode 0600: it holds the admin password)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from provisioner.errors import SandboxError
from provisioner.secrets import Secret

ABSENT, STOPPED, RUNNING = "absent", "stopped", "running"


@dataclass
class SandboxState:
    name: str
    engine: str  # "native" or "docker"
    port: int
    version: str  # "5.0"
    release: str  # "5.0.6+ (Build: 20260403)"
    admin_user: str
    admin_password: Secret
    paths: dict[str, str] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)
    installed: bool = False  # install.php finished and the reset template exists
    images: dict[str, str] = field(default_factory=dict)  # docker engine: service -> image, fixed at install
    path: str = ""  # "/moodle": the site lives under a sub-path of the host, as many schools' do

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def to_json(self) -> str:
        # asdict() would deep-copy the Secret, which refuses to be copied; read fields one by one
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data |= {"admin_password": self.admin_password.reveal(), "url": self.url}
        return json.dumps(data, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SandboxState:
        data = json.loads(text)
        data.pop("url", None)
        data["admin_password"] = Secret(data["admin_password"])
        return cls(**data)


def load(path: Path) -> SandboxState | None:
    try:
        return SandboxState.from_json(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        # from None: a chained traceback (pytest, --debug) would show from_json's text, the password in it
        raise SandboxError(f"unreadable sandbox state {path}: {exc}") from None


def save(state: SandboxState, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(state.to_json())
    os.chmod(partial, 0o600)  # O_CREAT's mode does not apply to a file left by a crash
    partial.replace(path)
