"""The options `run` takes for many sites (--inventory and what goes with it) and for a remote browser.

Declared here, apart from cli/run.py, so that `run` gains them in one line and hands the whole
inventory run to cli/fleet.py; `run` itself stays the single-site command it was.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click

from provisioner.errors import PlaybookError

BROWSER_ENDPOINT_ENV = "PROVISIONER_BROWSER_ENDPOINT"
# Meaningful only with --inventory: given without it, they are bad input rather than silently ignored.
INVENTORY_ONLY = {"limit": "--limit", "shard": "--shard", "only_failed": "--only-failed",
                  "report_json": "--report-json", "report_junit": "--report-junit", "parallel": "--parallel"}

_OPTIONS = [
    click.option("--inventory", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                 help="Provision every site of this inventory (YAML) instead of one --site."),
    click.option("--limit", multiple=True, metavar="NAME|GROUP",
                 help="With --inventory: only these sites or groups (comma-separated or repeated; globs allowed)."),
    click.option("--parallel", type=click.IntRange(1, 64), default=1, show_default=True, metavar="N",
                 help="With --inventory: how many sites run at once, each in its own browser context."),
    click.option("--shard", metavar="K/N",
                 help="With --inventory: take the K-th of N equal parts (by site name), for a CI matrix of N jobs."),
    click.option("--only-failed", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
                 metavar="REPORT", help="With --inventory: only the sites that failed in this --report-json file."),
    click.option("--report-json", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                 help="With --inventory: write the report of every site as JSON."),
    click.option("--report-junit", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                 help="With --inventory: write the report as JUnit XML, for CI dashboards."),
    click.option("--browser-endpoint", envvar=BROWSER_ENDPOINT_ENV, show_envvar=True, metavar="WS_URL",
                 help="Use a remote Playwright browser server (`playwright run-server`) instead of a local "
                      "Chromium, e.g. ws://browsers.internal:3000/."),
]


def fleet_options(command):
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def health_options(command):
    """`verify` and `doctor` over an inventory: the same selection and reports, and no browser."""
    inventory = click.option("--inventory", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                             help="Check the stored connection of every site of this inventory (YAML), over "
                                  "REST only, instead of one --site.")
    for option in reversed([inventory, *_OPTIONS[1:-1]]):
        command = option(command)
    return command


def refuse_without_inventory(ctx: click.Context) -> None:
    for name, flag in INVENTORY_ONLY.items():
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE:
            raise PlaybookError(f"{flag} is for runs over an inventory: add --inventory FILE")


def browser_endpoint(ctx: click.Context) -> str | None:
    """The remote browser server's URL, checked; never echoed whole (a grid's URL may carry a token)."""
    endpoint = ctx.params.get("browser_endpoint")
    if not endpoint:
        return None
    parts = urlsplit(endpoint)
    if parts.scheme not in ("ws", "wss", "http", "https") or not parts.hostname:
        raise PlaybookError("--browser-endpoint: expected the browser server's ws://host:port/ URL")
    if ctx.params.get("headed"):
        raise PlaybookError("--headed shows a local browser window: leave it out with --browser-endpoint")
    return endpoint


def select_sites(inventory, params: dict) -> tuple[list, dict]:
    """--limit, then --only-failed, then --shard (or a Kubernetes Indexed Job's part): every CI job of a matrix
    selects from the same list. Returns the sites and the selection as reports record it. (Imports here: the
    options above are declared by every single-site command too.)"""
    from provisioner.fleet.report import failed_sites
    from provisioner.inventory import limit, only, shard, shard_from

    part = shard_from(params["shard"])
    sites = limit(inventory, params["limit"])
    selection: dict = {"limit": list(params["limit"]), "shard": str(part) if part else None,
                       "only_failed": [str(p) for p in params["only_failed"]]}
    if params["only_failed"]:
        names: set[str] = set()
        for report in params["only_failed"]:
            names |= failed_sites(report)
        gone = sorted(names - set(inventory.sites))
        if gone:  # removed or renamed since: the inventory says what exists now
            click.echo(f"warning: --only-failed: {', '.join(gone)} failed last time but "
                       f"{'is' if len(gone) == 1 else 'are'} no longer in {inventory.path}: skipped", err=True)
        sites = only(sites, names)
    sites = shard(sites, part)
    if not sites:
        what = "nothing failed in the report" if params["only_failed"] else "no site is selected"
        click.echo(f"{what}: nothing to run", err=True)
    return sites, selection
