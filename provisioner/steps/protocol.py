"""A web-service protocol is enabled (Manage protocols)."""
from __future__ import annotations

from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.params import ProtocolParams


@register
class ProtocolStep(Step):
    kind = "protocol"
    Params = ProtocolParams

    def plan(self, ctx: StepContext) -> Plan:
        raise NotImplementedError

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        raise NotImplementedError
