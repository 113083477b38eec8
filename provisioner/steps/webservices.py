"""Web services are on (Advanced features)."""
from __future__ import annotations

from provisioner.errors import ForcedSettingError
from provisioner.pages.settings import AdvancedFeaturesPage
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.params import WebServicesParams


@register
class WebServicesStep(Step):
    kind = "webservices"
    Params = WebServicesParams

    def plan(self, ctx: StepContext) -> Plan:
        wanted = self.params.enabled
        enabled, forced = AdvancedFeaturesPage(ctx.site).webservices()
        state = "enabled" if wanted else "disabled"
        if enabled == wanted:
            return Plan(reason=f"web services already {state}" + (" (set in config.php)" if forced else ""))
        if forced:
            raise ForcedSettingError(
                "enablewebservices", f"web services cannot be {state}",
                fix=f"Ask whoever manages the server to set $CFG->enablewebservices = {int(wanted)}; "
                    "(or remove the line) in config.php, then run again.")
        return Plan(changes=[f"{'enable' if wanted else 'disable'} web services"])

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        AdvancedFeaturesPage(ctx.site).set_webservices(self.params.enabled)
