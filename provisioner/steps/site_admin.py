"""The user is a site administrator."""
from __future__ import annotations

from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.params import SiteAdminParams


@register
class SiteAdminStep(Step):
    kind = "site_admin"
    Params = SiteAdminParams

    def plan(self, ctx: StepContext) -> Plan:
        raise NotImplementedError

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        raise NotImplementedError
