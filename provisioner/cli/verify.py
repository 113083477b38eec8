"""`provisioner verify` and `provisioner doctor`: check a token over REST, say what is wrong, hand it off.

No admin credentials: only the site URL and the token. The token comes from MOODLE_TOKEN or a file,
never from a flag's value (it would sit in shell history and the process list).
Exit codes: 0 all well, 1 not well (or hand-off failed), 2 bad input.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console

from provisioner.cli.fleet_options import health_options, refuse_without_inventory
from provisioner.cli.network_options import network_options
from provisioner.cli.token_out import token_from_saved_json
from provisioner.errors import HandoffError
from provisioner.handoff import Connection, deliver, parse_targets
from provisioner.handoff.targets import StdoutTarget
from provisioner.network import network_from
from provisioner.rest.doctor import examine
from provisioner.rest.render import findings_view, verification_view
from provisioner.rest.verify import verify as verify_token
from provisioner.secrets import Secret, redact

TOKEN_ENV = "MOODLE_TOKEN"


def _connection_options(command):
    command = network_options(command)
    command = click.option("--timeout", type=float, default=30.0, show_default=True,
                           help="Seconds to wait for each answer from Moodle.")(command)
    command = click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")(command)
    command = click.option("--token-file", type=click.Path(dir_okay=False, allow_dash=True),
                           help="File holding the token, or the JSON that 'run --token-out' wrote "
                                f"('-' for stdin). Default: ${TOKEN_ENV}. With --inventory: one file per site, "
                                "e.g. 'tokens/{site}.json'.")(command)
    command = health_options(command)
    return click.option("--site", envvar="MOODLE_SITE_URL", metavar="URL",
                        help="Moodle's root URL, as in its config.php wwwroot [env MOODLE_SITE_URL]; or "
                             "--inventory for many sites.")(command)


def _one_site_or_inventory(detailed: bool) -> bool:
    """True when the command checked an inventory (cli/health.py); else the one site is the job."""
    ctx = click.get_current_context()
    if ctx.params.get("inventory") is not None:
        from provisioner.cli.health import check_inventory

        check_inventory(ctx, detailed)
        return True
    refuse_without_inventory(ctx)
    if not ctx.params.get("site"):
        raise click.UsageError("give the site: --site URL (or $MOODLE_SITE_URL), or --inventory FILE")
    return False


def read_token(token_file: str | None) -> Secret:
    if token_file:
        raw = sys.stdin.read() if token_file == "-" else _read_file(token_file)
        origin = f"--token-file {token_file}"
    else:
        raw, origin = os.environ.get(TOKEN_ENV, ""), f"${TOKEN_ENV}"
    value = token_from_saved_json(raw.strip())
    if not value:
        raise click.UsageError(f"no token: set {TOKEN_ENV} or pass --token-file" if not token_file
                               else f"{origin} is empty")
    token = Secret(value)
    # server.php cleans wstoken with PARAM_ALPHANUM, so a stray quote would silently become another token.
    if not value.isalnum():
        raise click.UsageError(f"the token in {origin} must be letters and digits only "
                               "(Moodle tokens are 32 hexadecimal characters)")
    return token


def _read_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise click.UsageError(f"cannot read --token-file {path}: {exc.strerror}") from None


def _console(to_stderr: bool) -> Console:
    return Console(stderr=to_stderr, soft_wrap=False)


@click.command()
@_connection_options
@click.option("--alert", "alerts", multiple=True, metavar="webhook:URL",
              help="With --inventory: POST each broken connection (site, cause, fixing step; never a token) to "
                   "this webhook, as the hand-off does (bearer from $ENROLLAIT_WEBHOOK_TOKEN, retried).")
@click.option("--handoff", "handoffs", multiple=True, metavar="TARGET",
              help="After a successful check, hand the connection off: stdout, file:PATH "
                   "(.env by extension, else JSON; mode 0600) or webhook:URL (bearer from "
                   "$ENROLLAIT_WEBHOOK_TOKEN). Repeatable.")
def verify(site: str, token_file: str | None, as_json: bool, timeout: float, handoffs: tuple[str, ...],
           ca_file, proxy, http_auth_file, **inventory) -> None:
    """Check a token: site, Moodle version, its user, and each of the seven functions; preview the sync.

    With --inventory, every selected site's stored token, over REST only, in parallel: exit 0 all healthy,
    1 some broken.
    Exit 0 when all is well, 1 when not (or a hand-off failed), 2 on bad input.
    """
    if _one_site_or_inventory(detailed=False):
        return
    if inventory.get("alerts"):
        raise click.UsageError("--alert is for --inventory (one site: --handoff after a passing check)")
    network = network_from(ca_file, proxy, http_auth_file)
    token = read_token(token_file)
    targets = parse_targets(list(handoffs))  # bad targets are bad input: nothing is called yet
    # With `--handoff stdout`, stdout carries only the hand-off JSON; the report moves to stderr.
    report_to_stderr = any(isinstance(t, StdoutTarget) for t in targets)
    verification = verify_token(site, token, timeout=timeout, network=network)

    delivered: list[str] = []
    handoff_error: HandoffError | None = None
    if targets and verification.ok:
        try:
            delivered = deliver(targets, Connection.from_verification(verification, token))
        except HandoffError as exc:
            handoff_error = exc
            delivered = getattr(exc, "delivered", [])

    if as_json:
        data = verification.to_dict()
        data["handoff"] = {"delivered": delivered, "error": redact(str(handoff_error)) if handoff_error else None}
        click.echo(json.dumps(data, indent=2), err=report_to_stderr)
    else:
        console = _console(report_to_stderr)
        console.print(verification_view(verification))
        for line in delivered:
            console.print(f"handed off: {redact(line)}")
        if targets and not verification.ok:
            console.print("no hand-off: the connection did not verify", style="red")
    if handoff_error is not None:
        raise handoff_error
    sys.exit(0 if verification.ok else 1)


@click.command()
@_connection_options
def doctor(site: str, token_file: str | None, as_json: bool, timeout: float, ca_file, proxy, http_auth_file,
           **inventory) -> None:
    """Say what is wrong with the connection and which seed step fixes it.

    With --inventory, every finding of every selected site (--only-failed REPORT: the sites a report of
    `verify --inventory` found broken). Exit 0 when nothing is wrong, 1 with findings, 2 on bad input.
    """
    if _one_site_or_inventory(detailed=True):
        return
    network = network_from(ca_file, proxy, http_auth_file)
    token = read_token(token_file)
    findings, verification = examine(site, token, timeout=timeout, network=network)
    notes = verification.release_notes
    if as_json:
        click.echo(json.dumps({"ok": not findings, "findings": [f.to_dict() for f in findings],
                               "release": verification.release, "release_notes": notes}, indent=2))
    else:
        console = _console(False)
        console.print(findings_view(findings))
        for note in notes:
            console.print(f"note: {note}", style="yellow")
    sys.exit(0 if not findings else 1)

