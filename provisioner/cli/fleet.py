"""`provisioner run PLAYBOOK --inventory FILE`: the same playbook on many sites, several at once.

Everything is checked before any browser starts, as for one site: the inventory, which sites were
selected (--limit, --only-failed, --shard), the playbook with each selected site's variables, each
selected site's secrets, and every output path. Bad input exits 2 with no site touched.
Then the sites run (fleet/pool.py); one failing never stops the others. Exit codes: 0 every site
converged, 1 any site failed, 3 changes pending under --check (and none failed).
"""
from __future__ import annotations

import json
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import click

from provisioner import app
from provisioner.browser import BrowserOptions
from provisioner.network import Network, network_from
from provisioner.cli.fleet_options import browser_endpoint, select_sites
from provisioner.cli.fleet_progress import FleetProgress, SiteNotes
from provisioner.cli.record_dir import finish_record, prepare_record
from provisioner.cli.run_handoff import Deliver, hand_over, handoff_deliverer
from provisioner.cli.run_inputs import parse_vars
from provisioner.cli.token_out import check_writable, read_saved_token
from provisioner.errors import EXIT_FAILED, EXIT_OK, EXIT_PENDING, PlaybookError
from provisioner.fleet.junit import to_junit
from provisioner.fleet.pool import SiteJob, run_sites
from provisioner.fleet.report import FleetReport, write_report
from provisioner.inventory import Inventory, Site, load_inventory, read_sign_in
from provisioner.playbook import load_playbook

SITE = "{site}"
# Single-site ways of naming the site and signing in: with an inventory, each site's entry says.
SINGLE_SITE = {"site_url": "--site", "sandbox_name": "--sandbox", "admin_user": "--admin-user",
               "admin_password_file": "--admin-password-file", "session_file": "--session-file",
               "totp_secret_file": "--totp-secret-file"}
DEFAULT_ARTIFACTS = Path("provisioner-artifacts")


def run_inventory(ctx: click.Context) -> None:
    params = ctx.params
    for name, flag in SINGLE_SITE.items():
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE:
            raise PlaybookError(f"{flag} does not go with --inventory: each site's entry in the inventory says "
                                "where it is and how to sign in")
    endpoint = browser_endpoint(ctx)
    inventory = load_inventory(params["inventory"])
    sites, selection = select_sites(inventory, params)
    for path, label in ((params["report_json"], "--report-json"), (params["report_junit"], "--report-junit")):
        if path is not None:
            check_writable(path, label)

    progress = FleetProgress(total=len(sites))
    if os.environ.get("MOODLE_TOKEN"):
        progress.warn("MOODLE_TOKEN is ignored with --inventory: a token belongs to one site (--token-out "
                      f"'tokens/{SITE}.json' keeps each site's)")
    network = network_from(params["ca_file"], params["proxy"], params["http_auth_file"])
    jobs = [_job(site, inventory, params, endpoint, progress, network) for site in sites]
    for warning in dict.fromkeys(w for job in jobs for w in job.playbook.warnings):
        progress.warn(warning)

    started_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    # One browser per worker serves every site: it trusts the CA files of them all (REST checks trust each
    # site's own only).
    for job in jobs:
        network = network.merged(job.options.network)
    browser = BrowserOptions(executable_path=params["browser_path"], headed=params["headed"], endpoint=endpoint,
                             network=network)
    parallel = max(1, min(params["parallel"], len(jobs)))
    clock = time.monotonic()
    progress.start()
    try:
        results = run_sites(jobs, parallel, browser, progress)
    finally:
        progress.stop()
    report = FleetReport(playbook=str(params["playbook"]), inventory=str(inventory.path), check=params["check"],
                         started_at=started_at, parallel=parallel, selection=selection, sites=results,
                         seconds=round(time.monotonic() - clock, 1))
    if params["record_dir"] is not None:
        _write_records(params["record_dir"], results, jobs, progress)
    if sites:
        progress.summary(report)
    _write_reports(report, params, progress)
    ctx.exit(EXIT_FAILED if report.failed else EXIT_PENDING if report.pending else EXIT_OK)


def _job(site: Site, inventory: Inventory, params: dict, endpoint: str | None, progress: FleetProgress,
         network: Network) -> SiteJob:
    try:
        book = load_playbook(params["playbook"], parse_vars(params["var_pairs"]), list(params["vars_files"]),
                             site_vars=site.vars_layers)
    except PlaybookError as exc:
        raise PlaybookError(f"site '{site.name}': {exc}") from None
    sign_in = read_sign_in(site, inventory.path)
    token_out = _per_site_path(params["token_out"], site, "--token-out")
    if token_out is not None:
        check_writable(token_out)
    targets = [_per_site_target(t, site) for t in params["handoff_targets"]]
    deliver = handoff_deliverer(targets, as_json=False)
    options = app.RunOptions(site_url=site.url, admin_user=sign_in.admin_user, admin_password=sign_in.password,
                             check=params["check"], rotate_token=params["rotate_token"], headed=params["headed"],
                             browser_path=params["browser_path"], known_token=read_saved_token(token_out, site.url),
                             totp=sign_in.totp, session=sign_in.session, browser_endpoint=endpoint,
                             artifacts_dir=(params["artifacts_dir"] or DEFAULT_ARTIFACTS) / site.name,
                             timeout_s=params["timeout_s"], lock_wait_s=params["lock_wait_s"],
                             on_lock_wait=progress.for_site(site.name).warn,
                             record_shots=prepare_record(params["record_dir"], site.name),
                             network=_site_network(site, network))
    after = None if params["check"] else _hand_over_for(site, token_out, deliver, progress.for_site(site.name))
    return SiteJob(site.name, site.url, book, options, site.groups, after)


def _write_records(folder: Path, results, jobs: list[SiteJob], progress: FleetProgress) -> None:
    """Each site's record (`<site>.html`), and an index of them; a site that stopped before its steps has
    none, and the index says how it ended."""
    from provisioner.record import write_index

    shots = {job.name: job.options.record_shots for job in jobs}
    listed = []
    for result in results:
        name = f"{result.name}.html"
        if result.report is not None:
            finish_record(folder, result.report, shots.get(result.name), name)
        else:  # stopped before its steps (sign-in, unreachable): nothing to record, no screenshot kept
            shutil.rmtree(shots.get(result.name) or folder / ".none", ignore_errors=True)
        listed.append((result.name, result.outcome, name if result.report is not None else ""))
    progress.note(f"records written to {write_index(folder, listed)}")


def _site_network(site: Site, network: Network) -> Network:
    """The site's own CA file (inventory) wins over --ca-file / $SSL_CERT_FILE; the proxy and basic
    authentication are the run's."""
    if site.ca_file is None:
        return network
    try:
        return network.trusting(site.ca_file)
    except PlaybookError as exc:
        raise PlaybookError(f"site '{site.name}': {str(exc).replace('--ca-file', 'ca_file', 1)}") from None


def _hand_over_for(site: Site, token_out: Path | None, deliver: Deliver | None, notes: SiteNotes):
    def after(outcome: app.RunOutcome) -> None:
        error = hand_over(outcome, site.url, token_out, deliver, notes)
        if error is not None:
            raise error  # the site's result records it; the other sites go on
    return after


def _per_site_path(template: Path | None, site: Site, flag: str) -> Path | None:
    if template is None:
        return None
    if SITE not in str(template):
        raise PlaybookError(f"{flag} {template}: every site has its own token; put {SITE} in the path, "
                            f"e.g. tokens/{SITE}.json")
    return Path(str(template).replace(SITE, site.name))


def _per_site_target(target: str, site: Site) -> str:
    if target == "stdout":
        raise PlaybookError("--handoff stdout would mix every site's token on one stream: use "
                            f"file:connections/{SITE}.env or a webhook with --inventory")
    if target.startswith("file:") and SITE not in target:
        raise PlaybookError(f"--handoff {target}: every site has its own connection; put {SITE} in the path, "
                            f"e.g. file:connections/{SITE}.env")
    return target.replace(SITE, site.name) if target.startswith("file:") else target


def _write_reports(report: FleetReport, params: dict, progress: FleetProgress) -> None:
    data = report.to_dict()
    if params["report_json"] is not None:
        write_report(params["report_json"], json.dumps(data, indent=2) + "\n")
        progress.note(f"report written to {params['report_json']}")
    if params["report_junit"] is not None:
        write_report(params["report_junit"], to_junit(report))
        progress.note(f"JUnit report written to {params['report_junit']}")
    if params["as_json"]:
        click.echo(json.dumps(data, indent=2))
