"""`provisioner run --sandbox NAME`: the main job against a local sandbox in one command.

The sandbox is brought up (installed the first time) and its URL and admin login are used, so nobody
copies a generated admin password into an environment variable.
"""
from __future__ import annotations

from dataclasses import dataclass

from provisioner.secrets import Secret


@dataclass
class SandboxSite:
    url: str
    admin_user: str
    admin_password: Secret


def bring_up(name: str) -> SandboxSite:
    from provisioner.cli.sandbox import say_if_downloading
    from provisioner.sandbox.model import UpRequest
    from provisioner.sandbox.engine import engine_for

    request = UpRequest(name=name)
    say_if_downloading(request)
    state = engine_for(name).up(request)
    return SandboxSite(state.url, state.admin_user, state.admin_password)
