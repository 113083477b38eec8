"""`provisioner run PLAYBOOK`: check every input, then hand the playbook to the app and report.

Everything that can be wrong with the input (URL, password, playbook, variables, output paths) is found
before `provision()` is called, so bad input exits 2 with the site untouched.
Exit codes: 0 converged, 1 failed, 2 bad input, 3 changes pending under --check.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from provisioner import app
from provisioner.cli.admin_auth import read_session, read_totp, session_option, totp_option
from provisioner.cli.network_options import network_options
from provisioner.cli.fleet_options import browser_endpoint, fleet_options, refuse_without_inventory
from provisioner.cli.progress import Progress
from provisioner.cli.run_handoff import hand_over, handoff_deliverer
from provisioner.cli.record_dir import finish_record, prepare_record
from provisioner.cli.run_inputs import ADMIN_PASSWORD_ENV, exit_code, parse_vars, read_admin_password
from provisioner.cli.token_out import check_writable, read_known_token
from provisioner.errors import PlaybookError
from provisioner.network import network_from
from provisioner.playbook import load_playbook
from provisioner.site_url import normalise_site_url



@click.command()
@click.argument("playbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--site", "site_url", envvar="MOODLE_SITE_URL", metavar="URL",
              show_envvar=True, help="Moodle's root URL, e.g. https://school.edu/moodle.")
@click.option("--sandbox", "sandbox_name", metavar="NAME",
              help="Instead of --site and an admin password: bring up the local sandbox NAME "
                   "(see `provisioner sandbox`) and provision it.")
@click.option("--admin-user", envvar="MOODLE_ADMIN_USER", default="admin", show_default=True,
              show_envvar=True, help="Site administrator to log in as.")
@click.option("--admin-password-file", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help=f"File holding the admin password; otherwise it is read from ${ADMIN_PASSWORD_ENV}.")
@session_option
@totp_option
@click.option("--var", "var_pairs", multiple=True, metavar="KEY=VALUE",
              help="Set a playbook variable; wins over vars files and the playbook's vars. Repeatable.")
@click.option("--vars-file", "vars_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              metavar="PATH", help="YAML mapping of variables; later files win. Repeatable.")
@click.option("--check", is_flag=True, help="Read the site and report what would change; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON on stdout.")
@click.option("--token-out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write {site_url, token} as JSON to FILE (mode 0600) when the token is known.")
@click.option("--rotate-token", is_flag=True, help="Replace an existing token with a new one.")
@click.option("--browser-path", envvar="PLAYWRIGHT_CHROMIUM_EXECUTABLE", metavar="PATH",
              type=click.Path(exists=True, dir_okay=False), show_envvar=True,
              help="Chromium to use instead of Playwright's own.")
@click.option("--headed", is_flag=True, help="Show the browser window.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=60.0, show_default=True,
              metavar="SECONDS", help="How long to wait for each page of the site.")
@click.option("--lock-wait", "lock_wait_s", type=click.FloatRange(min=0), default=600.0, show_default=True,
              metavar="SECONDS", help="How long to wait while another run on this machine changes the same site.")
@click.option("--artifacts-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Where screenshots of failed steps go.")
@click.option("--record", "record_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write a self-contained HTML record of the run for the school: per step what was read and "
                   "changed, with the admin page after each change (secrets painted over). One file per site; "
                   "an index with --inventory.")
@click.option("--handoff", "handoff_targets", multiple=True, metavar="TARGET",
              help="Deliver the verified connection after a converged run: stdout, file:PATH or "
                   "webhook:URL (bearer from $ENROLLAIT_WEBHOOK_TOKEN). Repeatable.")
@network_options
@fleet_options
def run(playbook: Path, site_url: str | None, sandbox_name: str | None, admin_user: str,
        admin_password_file: Path | None, session_file: Path | None, totp_secret_file: Path | None,
        var_pairs: tuple[str, ...], vars_files: tuple[Path, ...], check: bool, as_json: bool,
        token_out: Path | None, rotate_token: bool, browser_path: str | None, headed: bool, timeout_s: float,
        lock_wait_s: float, artifacts_dir: Path | None, record_dir: Path | None, handoff_targets: tuple[str, ...],
        ca_file: Path | None, proxy: str | None, http_auth_file: Path | None, inventory: Path | None,
        **fleet) -> None:
    """Connect the Moodle site at --site (or every site of --inventory) as PLAYBOOK describes.

    Exit codes: 0 converged, 1 failed, 2 bad input (nothing touched), 3 changes pending (--check).
    """
    ctx = click.get_current_context()
    if inventory is not None:  # many sites: cli/fleet.py checks everything, then runs them
        from provisioner.cli.fleet import run_inventory

        return run_inventory(ctx)
    refuse_without_inventory(ctx)
    endpoint = browser_endpoint(ctx)
    if bool(site_url) == bool(sandbox_name):
        raise PlaybookError("give the site to provision: --site URL (or $MOODLE_SITE_URL) or --sandbox NAME, "
                            "not both")
    site_url = normalise_site_url(site_url) if site_url else None
    network = network_from(ca_file, proxy, http_auth_file)
    book = load_playbook(playbook, parse_vars(var_pairs), list(vars_files))
    if sandbox_name and (session_file or totp_secret_file):
        raise PlaybookError("--sandbox signs in with the sandbox's own admin password: leave out "
                            "--session-file and --totp-secret-file")
    if sandbox_name:  # after the playbook is checked: bad input never starts anything
        from provisioner.cli.sandbox_site import bring_up

        # The first time, Moodle is installed: minutes of silence would look like a hang.
        click.echo(f"bringing up sandbox '{sandbox_name}' (the first time installs Moodle: a few minutes)",
                   err=True)
        sandbox = bring_up(sandbox_name)
        site_url, admin_user, admin_password = sandbox.url, sandbox.admin_user, sandbox.admin_password
        session, totp = None, None
    else:
        session = read_session(session_file, site_url, totp_secret_file)
        admin_password = None if session else read_admin_password(admin_password_file)
        totp = None if session else read_totp(totp_secret_file)
    if token_out is not None:
        check_writable(token_out)
    deliver = handoff_deliverer(handoff_targets, as_json)
    shots = prepare_record(record_dir)

    progress = Progress()
    for warning in book.warnings:
        progress.warn(warning)
    options = app.RunOptions(site_url=site_url, admin_user=admin_user, admin_password=admin_password,
                             check=check, rotate_token=rotate_token, headed=headed, browser_path=browser_path,
                             known_token=read_known_token(token_out, site_url), totp=totp, session=session,
                             browser_endpoint=endpoint, network=network, timeout_s=timeout_s,
                             lock_wait_s=lock_wait_s, on_lock_wait=progress.warn, record_shots=shots,
                             **({"artifacts_dir": artifacts_dir} if artifacts_dir else {}))
    try:
        outcome = app.provision(book, options, on_start=progress.on_start, on_result=progress.on_result)
    finally:
        progress.stop()
    report = outcome.report

    handoff_error = None if check else hand_over(outcome, site_url, token_out, deliver, progress)

    if record_dir is not None:
        progress.note(f"record written to {finish_record(record_dir, report, shots)}")
    progress.summary(report)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    if handoff_error is not None:
        raise handoff_error
    ctx.exit(exit_code(report))
