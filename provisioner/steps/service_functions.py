"""The service holds exactly the declared functions."""
from __future__ import annotations

from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.params import ServiceFunctionsParams


@register
class ServiceFunctionsStep(Step):
    kind = "service_functions"
    Params = ServiceFunctionsParams

    def plan(self, ctx: StepContext) -> Plan:
        raise NotImplementedError

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        raise NotImplementedError
