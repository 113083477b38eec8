"""A non-expiring token exists for the user and service, and its value is known."""
from __future__ import annotations

from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.params import TokenParams


@register
class TokenStep(Step):
    kind = "token"
    Params = TokenParams

    def plan(self, ctx: StepContext) -> Plan:
        raise NotImplementedError

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        raise NotImplementedError
