"""Web services are on (Advanced features)."""
from __future__ import annotations

from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.params import WebServicesParams


@register
class WebServicesStep(Step):
    kind = "webservices"
    Params = WebServicesParams

    def plan(self, ctx: StepContext) -> Plan:
        raise NotImplementedError

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        raise NotImplementedError
