"""Web services are on (Advanced features)."""
from __future__ import annotations

from provisioner.pages.settings import AdvancedFeaturesPage
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.params import WebServicesParams


@register
class WebServicesStep(Step):
    kind = "webservices"
    Params = WebServicesParams

    def plan(self, ctx: StepContext) -> Plan:
        wanted = self.params.enabled
        if AdvancedFeaturesPage(ctx.site).webservices_enabled() == wanted:
            return Plan(reason=f"web services already {'enabled' if wanted else 'disabled'}")
        return Plan(changes=[f"{'enable' if wanted else 'disable'} web services"])

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        AdvancedFeaturesPage(ctx.site).set_webservices(self.params.enabled)
