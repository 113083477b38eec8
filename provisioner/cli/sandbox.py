"""`provisioner sandbox up|down|status|reset|logs`: a local Moodle for QA and tests."""
from __future__ import annotations

import json
import time
from pathlib import Path

import click

from provisioner.cli.sandbox_progress import SandboxProgress
from provisioner.errors import SandboxError
from provisioner.sandbox.docker.images import PULL_ENV, PULL_POLICIES
from provisioner.sandbox.model import DEFAULT_NAME, UpRequest, site_path
from provisioner.sandbox.source import download_needed
from provisioner.sandbox.engine import engine_for
from provisioner.sandbox.paths import SandboxPaths

name_option = click.option("--name", default=DEFAULT_NAME, show_default=True,
                           help="Which sandbox; several can run at once on different ports.")
engine_option = click.option("--engine", type=click.Choice(["auto", "native", "docker"]),
                             default="auto", show_default=True,
                             help="auto: docker where a Docker engine answers and holds the images, else native.")


def _site_path(value: str | None) -> str | None:
    """A bad --path is bad input (exit 2), found before minutes of install."""
    try:
        return None if value is None else site_path(value)
    except SandboxError as exc:
        raise click.BadParameter(str(exc).removeprefix("--path ")) from None


@click.group()
def sandbox() -> None:
    """A local Moodle for QA and tests: installed once, reset in seconds."""


@sandbox.command()
@name_option
@click.option("--port", type=click.IntRange(1024, 65535),
              help=f"Port on 127.0.0.1 (default 8080 for '{DEFAULT_NAME}'); fixed at install.")
@engine_option
@click.option("--moodle-src", type=click.Path(path_type=Path), envvar="MOODLE_SRC",
              help="A Moodle tree or release .tgz/.zip [env MOODLE_SRC]; cached for later runs.")
@click.option("--moodle-version", metavar="X.Y", help="Pick a cached release, or download it.")
@click.option("--profile", type=click.Choice(["plain", "school"]),
              help="school: fill the site like a school's (courses, ~3000 users, 500 Moodle-app tokens); "
                   "also on an installed sandbox, whose reset then returns to it.")
@click.option("--langpack", "langpacks", multiple=True, metavar="DIR|CODE",
              help="Install a Moodle language pack: its folder (then cached), or the code of a cached one. "
                   "Repeatable; with --profile school, every cached pack that suits is installed.")
@click.option("--php-image", envvar="MOODLE_PHP_IMAGE", metavar="IMAGE",
              help="docker engine: the PHP+Apache image [env MOODLE_PHP_IMAGE; default "
                   "moodlehq/moodle-php-apache:8.2]. Pulled as --pull says.")
@click.option("--db-image", envvar="MOODLE_DB_IMAGE", metavar="IMAGE",
              help="docker engine: the PostgreSQL image [env MOODLE_DB_IMAGE; default postgres:16]. "
                   "Pulled as --pull says.")
@click.option("--path", "site_path_", metavar="/PATH", callback=lambda ctx, param, value: _site_path(value),
              help="Serve the site under a sub-path of the host, e.g. /moodle (as many schools' sites are); "
                   "fixed at install.")
@click.option("--pull", type=click.Choice(PULL_POLICIES), default="missing", show_default=True, envvar=PULL_ENV,
              help=f"docker engine: pull the images when missing (as docker compose does), always, or never "
                   f"[env {PULL_ENV}].")
@click.option("--no-template", is_flag=True,
              help="Run Moodle's installer even where this release is kept as a template on this machine "
                   "(a new sandbox is otherwise a copy of it, in seconds).")
@click.option("--show-password", is_flag=True,
              help="Print the admin password (by default only where it is kept: the sandbox's state file).")
def up(name: str, port: int | None, engine: str, moodle_src: Path | None,
       moodle_version: str | None, profile: str | None, langpacks: tuple[str, ...],
       php_image: str | None, db_image: str | None, site_path_: str | None, pull: str, no_template: bool,
       show_password: bool) -> None:
    """Start the sandbox, making it first if needed (a copy of this release's template where one is kept,
    else Moodle's installer); prints URL and admin login."""
    started = time.monotonic()
    request = UpRequest(name, port, moodle_src, moodle_version, profile, langpacks, php_image, db_image,
                        site_path_, pull=pull, fresh_install=no_template)
    chosen = engine_for(name, engine, {"php": php_image, "db": db_image}, SandboxProgress())
    say_if_downloading(request)
    state = chosen.up(request)
    click.echo(f"Moodle {state.release} ({state.engine}) is up in {time.monotonic() - started:.1f} s")
    click.echo(f"  URL:            {state.url}")
    click.echo(f"  admin user:     {state.admin_user}")
    if show_password:
        click.echo(f"  admin password: {state.admin_password.reveal()}")
    else:  # CI logs and shared terminals keep what is printed: say where it is instead
        click.echo(f"  admin password: in {SandboxPaths(name).state_file} (mode 0600), or add --show-password")
    if profile or langpacks:
        found = chosen.status(name)
        click.echo(f"  profile:        {found.profile}; languages: {', '.join(['en', *found.languages])}")


def say_if_downloading(request: UpRequest) -> None:
    """Downloading a release takes a while and is worth a line before it starts."""
    if installed(request.name):
        return
    version = download_needed(request)
    if version:
        click.echo(f"no Moodle source given (--moodle-src, MOODLE_SRC) nor cached: downloading Moodle {version} "
                   "from download.moodle.org", err=True)


def installed(name: str) -> bool:
    from provisioner.sandbox import state as state_mod

    current = state_mod.load(SandboxPaths(name).state_file)
    return bool(current and current.installed)


@sandbox.command()
@name_option
@click.option("--purge", is_flag=True, help="Also delete the sandbox (code copy, database, data; "
                                           "on docker its volumes).")
def down(name: str, purge: bool) -> None:
    """Stop the sandbox: no process, container, network or port left behind."""
    engine_for(name).down(name, purge=purge)
    click.echo(f"sandbox '{name}' {'purged' if purge else 'stopped'}")


@sandbox.command()
@name_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(name: str, as_json: bool) -> None:
    """Version, URL, engine and state (running, stopped or absent)."""
    found = engine_for(name).status(name)
    if as_json:
        click.echo(json.dumps(found.to_dict(), indent=2))
        return
    click.echo(f"sandbox '{found.name}': {found.state}")
    if found.state != "absent":
        click.echo(f"  Moodle {found.release} ({found.engine}) at {found.url}")
        if found.processes:  # none while a docker sandbox is down: its containers are removed
            click.echo("  " + ", ".join(f"{k} {'running' if v else 'stopped'}" for k, v in found.processes.items()))
        if found.profile:
            click.echo(f"  profile {found.profile}; languages: {', '.join(['en', *found.languages])}")
        if found.installed is False:
            click.echo("  install did not finish: `provisioner sandbox up` starts it over")


@sandbox.command()
@name_option
def reset(name: str) -> None:
    """Put the site back to just-installed, from its template (seconds, not a reinstall)."""
    started = time.monotonic()
    state = engine_for(name).reset(name)
    click.echo(f"sandbox '{name}' reset in {time.monotonic() - started:.1f} s: {state.url}")


@sandbox.command()
@name_option
@click.option("--lines", "-n", default=40, show_default=True, help="Lines from the end of each log.")
def logs(name: str, lines: int) -> None:
    """The end of the web server, database and install logs."""
    for which, text in engine_for(name).logs(name, lines).items():
        click.echo(f"--- {which} ---\n{text}")


from provisioner.cli.sandbox_templates import templates  # noqa: E402  (a command of the group above)

sandbox.add_command(templates)
