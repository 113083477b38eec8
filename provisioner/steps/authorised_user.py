"""The user is authorised on a restricted service."""
from __future__ import annotations

from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.params import AuthorisedUserParams


@register
class AuthorisedUserStep(Step):
    kind = "authorised_user"
    Params = AuthorisedUserParams

    def plan(self, ctx: StepContext) -> Plan:
        raise NotImplementedError

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        raise NotImplementedError
