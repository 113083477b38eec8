"""A web-service protocol is enabled (Manage protocols)."""
from __future__ import annotations

from provisioner.errors import ForcedSettingError, StepError
from provisioner.pages.settings import ProtocolsPage
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.params import ProtocolParams


@register
class ProtocolStep(Step):
    kind = "protocol"
    Params = ProtocolParams

    def plan(self, ctx: StepContext) -> Plan:
        name, wanted = self.params.name, self.params.enabled
        states = ProtocolsPage(ctx.site).enabled_protocols()
        if name not in states:
            raise StepError(f"this Moodle has no '{name}' protocol (it offers: {', '.join(sorted(states))})")
        if states[name] == wanted:
            return Plan(reason=f"{name.upper()} protocol already {'enabled' if wanted else 'disabled'}")
        return Plan(changes=[f"{'enable' if wanted else 'disable'} the {name.upper()} protocol"])

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        name, wanted = self.params.name, self.params.enabled
        page = ProtocolsPage(ctx.site)
        page.set_enabled(name, wanted)
        # The page shows no sign of a value forced in config.php: Moodle saves the click and the forced list
        # stays in force. The redirect lands on the list again, so this read costs no page load.
        if page.enabled_protocols().get(name) != wanted:
            raise ForcedSettingError(
                "webserviceprotocols", f"the {name.upper()} protocol stays {'disabled' if wanted else 'enabled'} "
                "after Moodle saved the change",
                fix=f"Ask whoever manages the server to {'add' if wanted else 'remove'} '{name}' "
                    f"{'to' if wanted else 'from'} $CFG->webserviceprotocols in config.php (or remove the line), "
                    "then run again.")
