"""The External Service exists, enabled, with the declared settings."""
from __future__ import annotations

from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.params import ServiceParams


@register
class ServiceStep(Step):
    kind = "service"
    Params = ServiceParams

    def plan(self, ctx: StepContext) -> Plan:
        raise NotImplementedError

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        raise NotImplementedError
