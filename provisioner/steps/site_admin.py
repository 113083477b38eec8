"""The user is a site administrator (so every function's capability checks pass).

Where config.php defines the list ($CFG->siteadmins) the admin UI cannot change it: the step is reported as
blocked, with what to do, and the run goes on with the other steps.
"""
from __future__ import annotations

from provisioner.errors import ForcedSettingError
from provisioner.pages.site_admins import SiteAdminsPage
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.facts import user_fact
from provisioner.steps.params import SiteAdminParams


@register
class SiteAdminStep(Step):
    kind = "site_admin"
    Params = SiteAdminParams

    def plan(self, ctx: StepContext) -> Plan:
        user = user_fact(ctx, self.params.user)
        admin, editable = SiteAdminsPage(ctx.site).is_admin(user.id, user.fullname)  # id None: not created yet
        if admin:
            return Plan(reason=f"'{user.username}' already a site administrator")
        if not editable:
            raise self._forced(user)
        return Plan(changes=[f"make '{user.username}' a site administrator"])

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        user = user_fact(ctx, self.params.user)
        if not SiteAdminsPage(ctx.site).add(user.id, user.fullname):
            raise self._forced(user)  # 4.1 saves the change, and the list forced in config.php wins

    def _forced(self, user) -> ForcedSettingError:
        ident = f"user id {user.id}" if user.id is not None else "the user's id, once created,"
        return ForcedSettingError(
            "siteadmins", f"'{user.username}' cannot be made a site administrator",
            fix=f"Ask whoever manages the server to add {ident} to $CFG->siteadmins in config.php, "
                "then run again.")
