"""Thin click commands. Each command group lives in its own module; this one wires them and maps errors.

Exit codes: 0 converged/ok, 1 failed, 2 bad input, 3 changes pending (--check).
"""
from __future__ import annotations

import sys

import click

from provisioner.errors import ProvisionerError
from provisioner.secrets import redact


class _Cli(click.Group):
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


def _register() -> None:
    from provisioner.cli import login as login_cmd
    from provisioner.cli import revoke as revoke_cmd
    from provisioner.cli import rotate as rotate_cmd
    from provisioner.cli import run as run_cmd
    from provisioner.cli import sandbox as sandbox_cmd
    from provisioner.cli import verify as verify_cmd

    cli.add_command(sandbox_cmd.sandbox)
    cli.add_command(run_cmd.run)
    cli.add_command(login_cmd.login)
    cli.add_command(verify_cmd.verify)
    cli.add_command(verify_cmd.doctor)
    cli.add_command(rotate_cmd.rotate)
    cli.add_command(revoke_cmd.revoke)


_register()


def main() -> None:
    cli(prog_name="provisioner")
