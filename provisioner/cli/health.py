"""`provisioner verify --inventory FILE` and `doctor --inventory FILE`: every selected site's stored
connection checked over REST, in parallel, without a browser or an admin login.

Each site's token comes from the inventory (`token: {env: NAME}` or `{file: PATH}`), else from
`--token-file 'tokens/{site}.json'` (the files `run --inventory --token-out` wrote); it is never printed.
Everything is read and checked before the first site is asked (bad input exits 2). Exit codes, as a
monitor expects: 0 every connection healthy, 1 some broken, 2 bad input.
"""
from __future__ import annotations

import os
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from provisioner.cli.fleet_options import select_sites
from provisioner.cli.token_out import check_writable, token_from_saved_json
from provisioner.errors import EXIT_FAILED, EXIT_OK, PlaybookError
from provisioner.fleet.health import HealthCheck, HealthReport, SiteHealth, check_fleet, write_reports
from provisioner.inventory import Inventory, Site, load_inventory
from provisioner.inventory.credentials import read_secret
from provisioner.network import Network, network_from
from provisioner.secrets import Secret, redact

SITE = "{site}"


def check_inventory(ctx: click.Context, detailed: bool) -> None:
    params = ctx.params
    if params.get("site") and ctx.get_parameter_source("site") == click.core.ParameterSource.COMMANDLINE:
        raise PlaybookError("--site does not go with --inventory: each site's entry says where it is")
    if params.get("handoffs"):
        raise PlaybookError("--handoff is for one site: `run --inventory --handoff` hands each site off")
    inventory = load_inventory(params["inventory"], sign_in=False)
    sites, selection = select_sites(inventory, params)
    pattern = params.get("token_file")
    if pattern and (pattern == "-" or (len(sites) > 1 and SITE not in pattern)):
        raise PlaybookError(f"--token-file with --inventory names one file per site: put {SITE} in it, e.g. "
                            f"'tokens/{SITE}.json'")
    for path, label in ((params["report_json"], "--report-json"), (params["report_junit"], "--report-junit")):
        if path is not None:
            check_writable(path, label)
    network = network_from(params["ca_file"], params["proxy"], params["http_auth_file"])
    checks = [_check(site, inventory, pattern, network) for site in sites]
    alert = _alert_target(params.get("alerts", ()))

    console = Console(stderr=params.get("as_json", False), soft_wrap=False)
    report = check_fleet(checks, params["parallel"], params["timeout"], str(inventory.path), selection,
                         on_result=lambda health: console.print(_line(health)))
    write_reports(report, params["report_json"], params["report_junit"])
    if alert is not None and report.failed:
        from provisioner.fleet.alerts import alert_broken

        sent, failed = alert_broken(report, alert)
        for line in sent:
            console.print(f"alert sent: {redact(line)}")
        for line in failed:
            console.print(f"alert failed: {redact(line)}", style="red")
    if params.get("as_json"):
        click.echo(report.to_json(), nl=False)
    else:
        console.print(_table(report, detailed))
    ctx.exit(EXIT_FAILED if report.failed else EXIT_OK)


def _alert_target(specs: tuple[str, ...]):
    """--alert webhook:URL, parsed (and its credential found) before any site is asked."""
    if not specs:
        return None
    from provisioner.handoff.targets import WebhookTarget, parse_target

    if len(specs) > 1:
        raise PlaybookError("--alert: give one webhook")
    target = parse_target(specs[0])
    if not isinstance(target, WebhookTarget):
        raise PlaybookError("--alert takes webhook:URL (bearer from $ENROLLAIT_WEBHOOK_TOKEN)")
    return target


def _check(site: Site, inventory: Inventory, pattern: str | None, network: Network) -> HealthCheck:
    """How the site's token is read when its turn comes; what can be checked now is (bad input: exit 2)."""
    who = f"site '{site.name}'"
    if site.token is not None:
        if site.token.kind == "env" and site.token.ref not in os.environ:
            raise PlaybookError(f"{who}: token: environment variable {site.token.ref} is not set",
                                file=inventory.path, line=site.token.line)

        def read_token() -> Secret:
            return Secret(_token_of(read_secret(site.token, f"{who}: token", inventory.path, os.environ,
                                                strip=True), who))
    elif pattern:
        path = Path(pattern.replace(SITE, site.name))

        def read_token() -> Secret:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise PlaybookError(f"no token file {path} ({exc.strerror}): was the site provisioned with "
                                    "--token-out?") from None
            return Secret(_token_of(text, who))
    else:
        raise PlaybookError(f"{who}: no token to check: add token: {{file: PATH}} (or {{env: NAME}}) to its entry, "
                            f"or give --token-file 'tokens/{SITE}.json'", file=inventory.path, line=site.line)
    own = network.trusting(site.ca_file) if site.ca_file else network
    return HealthCheck(site.name, site.url, read_token, own, site.groups)


def _token_of(text: str, who: str) -> str:
    """A bare token, or the JSON `run --token-out` wrote ({site_url, token})."""
    text = token_from_saved_json(text.strip())
    if not text or not text.isalnum():
        raise PlaybookError(f"{who}: the token file holds no token (letters and digits, or run's --token-out JSON)")
    return text


def _line(health: SiteHealth) -> Text:
    if health.outcome == "healthy":
        return Text(f"healthy  {health.site}", style="green")
    return Text(f"failed   {health.site}: {redact(health.cause)}", style="red")


def _table(report: HealthReport, detailed: bool) -> Table:
    table = Table(title=f"{len(report.sites) - len(report.failed)} healthy, {len(report.failed)} broken "
                        f"of {len(report.sites)} in {report.seconds:g} s", title_justify="left")
    for column in ("Site", "Outcome", "Cause", "Fixed by", "Moodle"):
        table.add_column(column, overflow="fold")
    for health in report.sites:
        causes = [f"{f['cause']}" + (f" (step {f['step']})" if f.get("step") else "") for f in health.findings]
        cause = "\n".join(causes) if detailed and causes else health.cause
        fix = f"step {health.step}: {health.step_name}" if health.step else ""
        notes = health.release_notes if detailed else [n.split(":")[0] for n in health.release_notes]
        release = (health.release or "?") + "".join(f"\n{n}" for n in notes)
        style = "green" if health.outcome == "healthy" else "red"
        table.add_row(health.site, Text(health.outcome, style=style), redact(cause), fix, release)
    return table

