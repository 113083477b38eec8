"""`provisioner run PLAYBOOK`: check every input, then hand the playbook to the app and report.

Everything that can be wrong with the input (URL, password, playbook, variables, output paths) is found
before `provision()` is called, so bad input exits 2 with the site untouched.
Exit codes: 0 converged, 1 failed, 2 bad input, 3 changes pending under --check.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from provisioner import app
from provisioner.cli.admin_auth import read_session, read_totp, session_option, totp_option
from provisioner.cli.fleet_options import browser_endpoint, fleet_options, refuse_without_inventory
from provisioner.cli.progress import Progress
from provisioner.cli.token_out import check_writable, read_known_token, write_token_file
from provisioner.errors import (EXIT_FAILED, EXIT_OK, EXIT_PENDING, HandoffError, PlaybookError,
                                ProvisionerError)
from provisioner.playbook import load_playbook
from provisioner.runner.report import RunReport
from provisioner.secrets import Secret
from provisioner.site_url import normalise_site_url

ADMIN_PASSWORD_ENV = "MOODLE_ADMIN_PASSWORD"
Deliver = Callable[[str, app.RunOutcome], list[str]]  # (site_url, outcome) → what was delivered


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
@click.option("--artifacts-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Where screenshots of failed steps go.")
@click.option("--handoff", "handoff_targets", multiple=True, metavar="TARGET",
              help="Deliver the verified connection after a converged run: stdout, file:PATH or "
                   "webhook:URL (bearer from $ENROLLAIT_WEBHOOK_TOKEN). Repeatable.")
@fleet_options
def run(playbook: Path, site_url: str | None, sandbox_name: str | None, admin_user: str,
        admin_password_file: Path | None, session_file: Path | None, totp_secret_file: Path | None,
        var_pairs: tuple[str, ...], vars_files: tuple[Path, ...], check: bool, as_json: bool,
        token_out: Path | None, rotate_token: bool, browser_path: str | None, headed: bool,
        artifacts_dir: Path | None, handoff_targets: tuple[str, ...], inventory: Path | None,
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

    progress = Progress()
    for warning in book.warnings:
        progress.warn(warning)
    options = app.RunOptions(site_url=site_url, admin_user=admin_user, admin_password=admin_password,
                             check=check, rotate_token=rotate_token, headed=headed, browser_path=browser_path,
                             known_token=read_known_token(token_out, site_url), totp=totp, session=session,
                             browser_endpoint=endpoint,
                             **({"artifacts_dir": artifacts_dir} if artifacts_dir else {}))
    try:
        outcome = app.provision(book, options, on_start=progress.on_start, on_result=progress.on_result)
    finally:
        progress.stop()
    report = outcome.report

    handoff_error = None if check else hand_over(outcome, site_url, token_out, deliver, progress)

    progress.summary(report)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    if handoff_error is not None:
        raise handoff_error
    ctx.exit(exit_code(report))


def exit_code(report: RunReport) -> int:
    if report.failed:
        return EXIT_FAILED
    return EXIT_PENDING if report.pending else EXIT_OK


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    variables: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals:
            raise PlaybookError(f"--var {name!r}: expected KEY=VALUE")
        if not name:
            raise PlaybookError("--var: the name before '=' is empty")
        variables[name] = value
    return variables


def read_admin_password(password_file: Path | None) -> Secret:
    """From the file if given, else from the environment; never from a flag's value (shell history, ps)."""
    if password_file is not None:
        source = f"--admin-password-file {password_file}"
        try:
            value = password_file.read_text(encoding="utf-8").rstrip("\r\n")  # an editor's final newline
        except (OSError, UnicodeDecodeError) as exc:
            raise PlaybookError(f"{source}: {getattr(exc, 'strerror', None) or exc}") from None
    else:
        source = f"${ADMIN_PASSWORD_ENV}"
        value = os.environ.get(ADMIN_PASSWORD_ENV)
        if value is None:
            raise PlaybookError(f"no admin password: set {ADMIN_PASSWORD_ENV} "
                                "or pass --admin-password-file PATH")
    if not value:
        raise PlaybookError(f"the admin password from {source} is empty")
    return Secret(value)


def hand_over(outcome: app.RunOutcome, site_url: str, token_out: Path | None, deliver: Deliver | None,
              progress: Progress) -> HandoffError | None:
    """Save the token and deliver the connection; a failed hand-off is returned to be raised last."""
    if not (token_out or deliver):
        return None
    if outcome.token is None:
        # Moodle 4.3+ shows a token's value once, when it is created; a later run cannot read it back.
        progress.warn("this run did not create the token, so its value is unknown: --token-out and --handoff "
                      "skipped (--rotate-token replaces the token with a new one)")
        return None
    if token_out is not None:  # even after a failure: a token minted now may never be shown again
        try:
            write_token_file(token_out, site_url, outcome.token)
        except HandoffError as exc:
            raise ProvisionerError(f"--token-out: {exc}; the token exists on the site: run again with "
                                   "--rotate-token to get a new one") from None
        progress.note(f"token written to {token_out}")
    if deliver is not None and outcome.report.outcome == "converged":
        try:
            outcome.report.handoff = deliver(site_url, outcome)
        except HandoffError as exc:
            outcome.report.handoff = list(getattr(exc, "delivered", []))
            return exc  # raised after the report, which is still worth printing
    return None


def handoff_deliverer(targets: Sequence[str], as_json: bool) -> Deliver | None:
    """Parse the targets now (a typo or a missing webhook credential is bad input, exit 2) and return
    what delivers to them after the run. The hand-off module is imported only by runs that ask for it."""
    if not targets:
        return None
    if as_json and "stdout" in targets:
        raise PlaybookError("--json and --handoff stdout would both write to stdout: choose one")
    try:
        from provisioner.handoff import Connection, deliver, parse_targets
    except ImportError:
        raise PlaybookError("--handoff: hand-off is not available in this installation") from None
    parsed = parse_targets(list(targets))

    def deliver_outcome(site_url: str, outcome: app.RunOutcome) -> list[str]:
        verification = outcome.report.verification or {}
        site_info = outcome.site_info or verification.get("site_info", {})
        connection = Connection(site_url, outcome.token, site_info, verification,
                                verified=bool(verification.get("ok")))
        return deliver(parsed, connection)
    return deliver_outcome
