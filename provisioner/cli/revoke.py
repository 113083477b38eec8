"""`provisioner revoke PLAYBOOK`: delete the integration user's tokens; `--offboard` removes the rest too.

Without --offboard only the tokens of the playbook's user on its service go. With it, also the service (and
its functions and authorised users), the integration role, the site-administrator right and the user itself,
each listed as it is removed. `--check` lists exactly what a real run removes and removes nothing.
Exit codes: 0 nothing (left) to remove, 1 failed (the report says what was removed before), 2 bad input,
3 --check found something to remove.
"""
from __future__ import annotations

import click

from provisioner.cli.admin_session import admin_session_options, finish, open_inputs, run_admin_steps
from provisioner.cli.progress import Progress
from provisioner.steps.connection import FindConnection
from provisioner.steps.offboarding import RemoveRole, RemoveService, RemoveSiteAdmin, RemoveUser
from provisioner.steps.rotation import DeleteTokens


@click.command()
@admin_session_options
@click.option("--offboard", is_flag=True,
              help="Also delete the service, the integration role, the site-admin right and the user.")
def revoke(offboard: bool, **inputs) -> None:
    """Delete the integration user's tokens on the service (and, with --offboard, everything else).

    Exit codes: 0 done or nothing to do, 1 failed, 2 bad input (nothing touched), 3 removals pending (--check).
    """
    session = open_inputs(**inputs)
    spec = session.spec
    steps = [FindConnection("Find the user, the service and their tokens", spec, require=False),
             DeleteTokens("Delete the tokens", spec)]
    if offboard:
        steps.append(RemoveService("Delete the service", spec))
        if spec.access is not None:
            steps.append(RemoveRole("Delete the integration role", spec))
        steps += [RemoveSiteAdmin("Remove the site-administrator right", spec),
                  RemoveUser("Delete the user", spec)]
    progress = Progress()
    report = run_admin_steps(session, steps, progress)
    removed = [change for s in report.steps if s.status in ("changed", "pending") for change in s.changes]
    finish(report, session, progress, {"removed" if not session.check else "would_remove": removed})
