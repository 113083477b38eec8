"""The user is a site administrator (so every function's capability checks pass).

Where config.php defines the list ($CFG->siteadmins) the admin UI cannot change it: the step is reported as
blocked, with what to do, and the run goes on with the other steps. The helpers below are shared with the
`access` step, which grants or removes the same right.
"""
from __future__ import annotations

from provisioner.errors import ForcedSettingError
from provisioner.pages.site_admins import SiteAdminsPage
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.facts import UserFact, user_fact
from provisioner.steps.params import SiteAdminParams


def admin_status(ctx: StepContext, user: UserFact) -> tuple[bool, bool]:
    """(whether the user is a site administrator, whether the list can be changed in the admin UI)."""
    return SiteAdminsPage(ctx.site).is_admin(user.id, user.fullname)  # id None: not created yet


def grant_admin(ctx: StepContext, user: UserFact) -> None:
    if not SiteAdminsPage(ctx.site).add(user.id, user.fullname):
        raise forced_grant(user)  # 4.1 saves the change, and the list forced in config.php wins


def remove_admin(ctx: StepContext, user: UserFact, done: str = "") -> None:
    if not SiteAdminsPage(ctx.site).remove(user.id, user.fullname):
        raise forced_removal(user, done)


def forced_grant(user: UserFact) -> ForcedSettingError:
    ident = f"user id {user.id}" if user.id is not None else "the user's id, once created,"
    return ForcedSettingError(
        "siteadmins", f"'{user.username}' cannot be made a site administrator",
        fix=f"Ask whoever manages the server to add {ident} to $CFG->siteadmins in config.php, then run again.")


def forced_removal(user: UserFact, done: str = "") -> ForcedSettingError:
    prefix = f"{done}; but " if done else ""
    return ForcedSettingError(
        "siteadmins", f"{prefix}'{user.username}' cannot be removed from the site administrators",
        fix=f"Ask whoever manages the server to remove user id {user.id} from $CFG->siteadmins in config.php, "
            "then run again.")


@register
class SiteAdminStep(Step):
    kind = "site_admin"
    Params = SiteAdminParams

    def plan(self, ctx: StepContext) -> Plan:
        user = user_fact(ctx, self.params.user)
        admin, editable = admin_status(ctx, user)
        if admin:
            return Plan(reason=f"'{user.username}' already a site administrator")
        if not editable:
            raise forced_grant(user)
        return Plan(changes=[f"make '{user.username}' a site administrator"])

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        grant_admin(ctx, user_fact(ctx, self.params.user))
