"""The user is authorised on a service restricted to authorised users."""
from __future__ import annotations

from provisioner.pages.service_users import ServiceUsersPage
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.facts import service_fact, user_fact
from provisioner.steps.params import AuthorisedUserParams


@register
class AuthorisedUserStep(Step):
    kind = "authorised_user"
    Params = AuthorisedUserParams

    def plan(self, ctx: StepContext) -> Plan:
        service, user = service_fact(ctx, self.params.service), user_fact(ctx, self.params.user)
        if not service.restricted_users:
            return Plan(reason=f"service '{service.shortname}' is open to all users: nobody needs authorising")
        if service.id is None or user.id is None:
            return Plan(changes=[f"authorise '{user.username}' on '{service.shortname}'"])
        if ServiceUsersPage(ctx.site).is_authorised(service.id, user.id, user.fullname):
            return Plan(reason=f"'{user.username}' already authorised on '{service.shortname}'")
        return Plan(changes=[f"authorise '{user.username}' on '{service.shortname}'"])

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        service, user = service_fact(ctx, self.params.service), user_fact(ctx, self.params.user)
        ServiceUsersPage(ctx.site).authorise(service.id, user.id, user.fullname)
