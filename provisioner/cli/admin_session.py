"""What `rotate` and `revoke` share: the inputs of an admin session (declared once here), checked before a
browser starts, and running a fixed list of steps in that session with `run`'s progress lines and report.

The input checks are `run`'s own (cli/run.py); the session, its login checks and failure screenshots are the
app's (app.provision runs any list of steps).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import click

from provisioner import app
from provisioner.cli.network_options import network_options
from provisioner.cli.progress import Progress
from provisioner.cli.run_inputs import exit_code, parse_vars, read_admin_password
from provisioner.site_url import normalise_site_url
from provisioner.errors import PlaybookError
from provisioner.network import Network, network_from
from provisioner.playbook import load_playbook
from provisioner.runner.report import RunReport
from provisioner.secrets import Secret
from provisioner.steps.base import Step
from provisioner.steps.connection import ConnectionSpec, connection_spec

_OPTIONS = [
    click.argument("playbook", type=click.Path(dir_okay=False, path_type=Path)),
    click.option("--site", "site_url", envvar="MOODLE_SITE_URL", metavar="URL", show_envvar=True,
                 help="Moodle's root URL, e.g. https://school.edu/moodle."),
    click.option("--sandbox", "sandbox_name", metavar="NAME", help="Instead of --site and an admin password: "
                 "the local sandbox NAME (see `provisioner sandbox`)."),
    click.option("--admin-user", envvar="MOODLE_ADMIN_USER", default="admin", show_default=True,
                 show_envvar=True, help="Site administrator to log in as."),
    click.option("--admin-password-file", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
                 help="File holding the admin password; otherwise it is read from $MOODLE_ADMIN_PASSWORD."),
    click.option("--var", "var_pairs", multiple=True, metavar="KEY=VALUE",
                 help="Set a playbook variable (e.g. username, service_shortname). Repeatable."),
    click.option("--vars-file", "vars_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
                 metavar="PATH", help="YAML mapping of variables; later files win. Repeatable."),
    click.option("--check", is_flag=True, help="Read the site and list what would change; change nothing."),
    click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout."),
    click.option("--browser-path", envvar="PLAYWRIGHT_CHROMIUM_EXECUTABLE", metavar="PATH", show_envvar=True,
                 type=click.Path(exists=True, dir_okay=False), help="Chromium to use instead of Playwright's own."),
    click.option("--headed", is_flag=True, help="Show the browser window."),
    click.option("--artifacts-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
                 default=Path("provisioner-artifacts"), show_default=True,
                 help="Where screenshots of failed steps (and, for rotate, a rescued token) go."),
]


def admin_session_options(command):
    for option in reversed(_OPTIONS):
        command = option(command)
    return network_options(command)


@dataclass
class AdminSession:
    site_url: str
    admin_user: str
    admin_password: Secret
    spec: ConnectionSpec
    check: bool
    as_json: bool
    browser_path: str | None
    headed: bool
    artifacts_dir: Path
    network: Network


def open_inputs(playbook: Path, site_url: str | None, sandbox_name: str | None, admin_user: str,
                admin_password_file: Path | None, var_pairs, vars_files, check: bool, as_json: bool,
                browser_path: str | None, headed: bool, artifacts_dir: Path, ca_file: Path | None,
                proxy: str | None, http_auth_file: Path | None) -> AdminSession:
    """Everything checked (exit 2 on bad input) before anything is started; the sandbox is brought up last."""
    if bool(site_url) == bool(sandbox_name):
        raise PlaybookError("give the site: --site URL (or $MOODLE_SITE_URL) or --sandbox NAME, not both")
    site_url = normalise_site_url(site_url) if site_url else None
    network = network_from(ca_file, proxy, http_auth_file)
    spec = connection_spec(load_playbook(playbook, parse_vars(var_pairs), list(vars_files)).steps)
    if sandbox_name:
        from provisioner.cli.sandbox_site import bring_up

        click.echo(f"bringing up sandbox '{sandbox_name}'", err=True)
        sandbox = bring_up(sandbox_name)
        site_url, admin_user, password = sandbox.url, sandbox.admin_user, sandbox.admin_password
    else:
        password = read_admin_password(admin_password_file)
    return AdminSession(site_url, admin_user, password, spec, check, as_json, browser_path, headed, artifacts_dir,
                        network)


@dataclass
class _Steps:
    steps: list[Step]


def run_admin_steps(session: AdminSession, steps: list[Step], progress: Progress) -> RunReport:
    options = app.RunOptions(site_url=session.site_url, admin_user=session.admin_user,
                             admin_password=session.admin_password, check=session.check, headed=session.headed,
                             browser_path=session.browser_path, artifacts_dir=session.artifacts_dir,
                             network=session.network, on_lock_wait=progress.warn)
    try:
        outcome = app.provision(_Steps(steps), options, on_start=progress.on_start, on_result=progress.on_result)
    finally:
        progress.stop()
    return outcome.report


def finish(report: RunReport, session: AdminSession, progress: Progress, extra: dict | None = None) -> None:
    """Summary on stderr, the report on stdout with --json, and run's exit codes (0, 1, 3)."""
    progress.summary(report)
    if session.as_json:
        click.echo(json.dumps({**report.to_dict(), **(extra or {})}, indent=2))
    click.get_current_context().exit(exit_code(report))
