"""Thin click commands. Each command group lives in its own module; this one wires them and maps errors.

Exit codes: 0 converged/ok, 1 failed, 2 bad input, 3 changes pending (--check).
"""
from __future__ import annotations

import importlib
import sys

import click

from provisioner.errors import ProvisionerError
from provisioner.secrets import redact


# Each command's module is imported only when that command runs (or its help is shown): `provisioner
# --version` or `sandbox status` should not pay for Playwright, the playbook engine and the rest (0.8 s).
_COMMANDS = {
    "sandbox": "provisioner.cli.sandbox:sandbox",
    "run": "provisioner.cli.run:run",
    "login": "provisioner.cli.login:login",
    "verify": "provisioner.cli.verify:verify",
    "doctor": "provisioner.cli.verify:doctor",
    "rotate": "provisioner.cli.rotate:rotate",
    "revoke": "provisioner.cli.revoke:revoke",
}


class _Cli(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _COMMANDS:
            return None
        module, attribute = _COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attribute)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ProvisionerError as exc:
            click.echo(f"error: {redact(str(exc))}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Cli)
@click.version_option(package_name="moodle-enrollait-provisioner")
def cli() -> None:
    """Connect a Moodle site to Enrollait through its admin web UI."""


def main() -> None:
    cli(prog_name="provisioner")
