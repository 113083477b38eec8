"""`provisioner rotate PLAYBOOK`: replace the integration token without downtime.

A new token is minted, verified over REST, handed off (--token-out, --handoff), and only then are the old
tokens of that user and service deleted. If verification fails the new token is deleted again; if the hand-off
fails the old tokens stay and the new token is saved to a private file that the report names. The token is
printed only to a `--handoff stdout`.
Exit codes: 0 rotated, 1 failed (the report says what was done and what was not), 2 bad input, 3 --check.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import click

from provisioner.cli.admin_session import admin_session_options, finish, open_inputs, run_admin_steps
from provisioner.cli.progress import Progress
from provisioner.cli.token_out import check_writable, read_known_token, write_token_file
from provisioner.errors import HandoffError, PlaybookError
from provisioner.handoff import Connection, deliver, parse_targets
from provisioner.rest.capabilities import SEVEN
from provisioner.network import Network
from provisioner.rest.client import MoodleRestClient, RestError
from provisioner.rest.verify import Verification, verify
from provisioner.secrets import Secret, redact_all
from provisioner.steps.connection import FindConnection
from provisioner.steps.rotation import DeleteTokens, HandOffNewToken, MintToken


@click.command()
@admin_session_options
@click.option("--token-out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write {site_url, token} of the new token to FILE (JSON, mode 0600) before the old is deleted.")
@click.option("--handoff", "handoff_targets", multiple=True, metavar="TARGET",
              help="Deliver the new, verified token: stdout, file:PATH or webhook:URL (bearer from "
                   "$ENROLLAIT_WEBHOOK_TOKEN). Repeatable.")
def rotate(token_out: Path | None, handoff_targets: tuple[str, ...], **inputs) -> None:
    """Mint a new token, verify it, hand it off, then delete the old token(s) of the user and service.

    Exit codes: 0 rotated, 1 failed, 2 bad input (nothing touched), 3 changes pending (--check).
    """
    if inputs["as_json"] and "stdout" in handoff_targets:
        raise PlaybookError("--json and --handoff stdout would both write to stdout: choose one")
    targets = parse_targets(list(handoff_targets))  # bad targets are bad input, found before a browser starts
    if token_out is not None:
        check_writable(token_out)
    session = open_inputs(**inputs)
    old_token = read_known_token(token_out, session.site_url)  # read before --token-out is overwritten
    spec, progress, record = session.spec, Progress(), {}

    def prove(token: Secret) -> str | None:
        record["verification"] = v = verify(session.site_url, token, SEVEN, network=session.network)
        if not v.ok:
            return v.problem.message if v.problem else "not callable: " + ", ".join(
                f.name for f in v.functions if not f.ok)
        if v.username != spec.token.user:
            return f"it answers as '{v.username}', not '{spec.token.user}'"
        return None

    def hand_off(token: Secret) -> list[str]:
        done = []
        if token_out is not None:
            write_token_file(token_out, session.site_url, token)
            done.append(f"file {token_out} (mode 0600)")
            record["saved_in"] = str(token_out)
        if token_out is None and not targets:  # never lost: kept privately, and said where
            done.append(f"file {rescue(token)} (mode 0600)")
        if targets:
            try:
                done += deliver(targets, Connection.from_verification(record["verification"], token))
            except HandoffError as exc:
                exc.delivered = done + getattr(exc, "delivered", [])
                raise
        record["delivered"] = done
        return done

    def rescue(token: Secret) -> str:
        if "saved_in" in record:
            return record["saved_in"]
        record["saved_in"] = str(rescue_file(session.artifacts_dir, session.site_url, token))
        return record["saved_in"]

    described = ([f"file {token_out}"] if token_out else []) + [t for t in handoff_targets]
    steps = [FindConnection("Find the user, the service and their tokens", spec, require=True),
             MintToken("Mint a new token", spec),
             HandOffNewToken("Verify the new token and hand it off", spec, described, prove, hand_off, rescue),
             DeleteTokens("Delete the old token(s)", spec)]
    report = run_admin_steps(session, steps, progress)
    verification: Verification | None = record.get("verification")
    if verification is not None:
        report.verification = verification.to_dict()
    report.handoff = record.get("delivered", [])
    extra = {"saved_in": record.get("saved_in")}
    if not report.failed and not session.check and old_token is not None:
        extra["old_token"] = old_token_state(session.site_url, old_token, session.network)
        progress.note(f"the old token now answers: {extra['old_token']}")
    finish(report, session, progress, redact_all(extra))


def old_token_state(site_url: str, token: Secret, network: Network) -> str:
    """What Moodle says to the old token after the rotation: `invalidtoken` when it is gone."""
    try:
        with MoodleRestClient(site_url, token, network=network) as client:
            client.call("core_webservice_get_site_info")
    except RestError as exc:
        return exc.errorcode
    return "still valid"


def rescue_file(folder: Path, site_url: str, token: Secret) -> Path:
    """A private file for a token that could not be handed off: never lost, never printed."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", urlsplit(site_url).netloc)
    path = folder / f"rotated-token-{host}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    write_token_file(path, site_url, token)
    return path
