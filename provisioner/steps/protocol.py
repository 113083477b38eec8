"""A web-service protocol is enabled (Manage protocols)."""
from __future__ import annotations

from provisioner.errors import StepError
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
        ProtocolsPage(ctx.site).set_enabled(self.params.name, self.params.enabled)
