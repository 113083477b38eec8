"""The user is a site administrator (so every function's capability checks pass)."""
from __future__ import annotations

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
        if user.id is not None and user.id in {u.id for u in SiteAdminsPage(ctx.site).admins()}:
            return Plan(reason=f"'{user.username}' already a site administrator")
        return Plan(changes=[f"make '{user.username}' a site administrator"])

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        user = user_fact(ctx, self.params.user)
        SiteAdminsPage(ctx.site).add(user.id, user.email)
