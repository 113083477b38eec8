"""The connection a playbook declares (its user, service, token and role), found on the site for `rotate`
and `revoke`. These commands change only tokens (and, offboarding, remove what the playbook created): they
never converge the rest, so the user and service are read with their own steps' plan(), which changes
nothing, and a site that differs from the playbook is reported, not corrected.
"""
from __future__ import annotations

from dataclasses import dataclass

from provisioner.errors import PlaybookError, StepError
from provisioner.pages.tokens import TokensPage
from provisioner.steps.base import Plan, Step, StepContext, StepParams
from provisioner.steps.facts import ServiceFact, UserFact, service_fact, user_fact
from provisioner.steps.params import AccessParams, TokenParams


@dataclass
class ConnectionSpec:
    user_step: Step
    service_step: Step
    token: TokenParams
    access: AccessParams | None   # None: the playbook gives no role to remove


def connection_spec(steps: list[Step]) -> ConnectionSpec:
    """From a loaded playbook: its token step, and the steps that create that token's user and service."""
    token = next((s for s in steps if s.kind == "token"), None)
    if token is None:
        raise PlaybookError("the playbook has no 'token' step: it declares no connection to rotate or revoke")
    p = token.params
    user = next((s for s in steps if s.kind == "user" and s.params.username == p.user), None)
    service = next((s for s in steps if s.kind == "service" and s.params.shortname == p.service), None)
    if user is None or service is None:
        missing = "user" if user is None else "service"
        raise PlaybookError(f"the playbook's token names {missing} '{p.user if user is None else p.service}', "
                            f"which no '{missing}' step declares")
    access = next((s.params for s in steps if s.kind == "access" and s.params.user == p.user), None)
    return ConnectionSpec(user, service, p, access)


def token_ids(ctx: StepContext, user: UserFact, service: ServiceFact) -> list[int]:
    """Ids of the user's tokens on the service, whatever their expiry."""
    if user.id is None or service.id is None:
        return []
    return sorted(r.id for r in TokensPage(ctx.site).tokens(service.id, service.name) if r.user_id == user.id)


class NoParams(StepParams):
    pass


class FindConnection(Step):
    """Reads the user, the service and the user's tokens on it; changes nothing. With `require`, a missing
    user or service, or one that differs from the playbook, stops the command before anything changes."""

    kind = "find"
    Params = NoParams

    def __init__(self, name: str, spec: ConnectionSpec, *, require: bool):
        super().__init__(name, NoParams())
        self.spec, self.require = spec, require

    def plan(self, ctx: StepContext) -> Plan:
        drift = self.spec.user_step.plan(ctx).changes + self.spec.service_step.plan(ctx).changes
        user, service = user_fact(ctx, self.spec.token.user), service_fact(ctx, self.spec.token.service)
        if self.require and (user.id is None or service.id is None):
            raise StepError(f"the site has no {'user' if user.id is None else 'service'} "
                            f"'{user.username if user.id is None else service.shortname}': `provisioner run` "
                            "creates it")
        if self.require and drift:
            raise StepError(f"the site differs from the playbook ({'; '.join(drift)}): run `provisioner run` "
                            "first")
        ids = token_ids(ctx, user, service)
        ctx.facts["old_tokens"] = ids
        found = [f"user '{user.username}'" + (f" (id {user.id})" if user.id else ": none"),
                 f"service '{service.shortname}'" + (f" (id {service.id})" if service.id else ": none"),
                 f"{len(ids)} token(s)"]
        return Plan(reason=", ".join(found))

    def apply(self, ctx: StepContext, plan: Plan) -> None:  # pragma: no cover - plan() never asks for changes
        raise AssertionError("FindConnection changes nothing")
