"""A non-expiring token exists for the user and service, and this run knows its value.

Moodle 4.5+ shows a token once, when it is created. A re-run keeps an existing valid token instead of
minting another; if this run does not know its value (none given, e.g. on a new machine) it says so, and
`--rotate-token` mints a new one and deletes the old. The value ends up in ctx.facts["token"].
"""
from __future__ import annotations

from provisioner.pages.tokens import TokenRow, TokensPage
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.facts import service_fact, user_fact
from provisioner.steps.params import TokenParams

UNKNOWN_VALUE = ("a valid token exists but this run does not know its value (Moodle shows it only once): "
                 "pass the file it was saved to (--token-out) or MOODLE_TOKEN, or use --rotate-token "
                 "to mint a new one and delete the old")

ROTATE_HERE = ("--rotate-token deletes the old token(s) before the new one is handed off: if a running "
               "Enrollait still uses one, `provisioner rotate` hands the new one off first")


@register
class TokenStep(Step):
    kind = "token"
    Params = TokenParams

    def _rows(self, ctx: StepContext, user_id: int, service) -> list[TokenRow]:
        return [row for row in TokensPage(ctx.site).tokens(service.id, service.name) if row.user_id == user_id]

    def plan(self, ctx: StepContext) -> Plan:
        user, service = user_fact(ctx, self.params.user), service_fact(ctx, self.params.service)
        what = f"a non-expiring token for '{user.username}' on '{service.shortname}'"
        if user.id is None or service.id is None:
            return Plan(changes=[f"create {what}"], data={"old": []})
        rows = self._rows(ctx, user.id, service)
        valid = [r for r in rows if r.no_expiry]
        if ctx.facts.get("token_minted"):  # the re-read after apply(): the new token, and only it if rotating
            if not valid:
                return Plan(changes=[f"create {what}"], data={"old": []})
            if ctx.options.get("rotate_token") and len(rows) > 1:
                return Plan(changes=[f"delete {len(rows) - 1} older token(s)"], data={"old": []})
            return Plan(reason=f"{what} was created by this run")
        if ctx.options.get("rotate_token"):
            return Plan(changes=[f"create {what}"] + ([f"delete {len(rows)} older token(s)"] if rows else []),
                        data={"old": [r.id for r in rows]}, warnings=[ROTATE_HERE] if rows else [])
        if not valid:
            warnings = [f"{len(rows)} token(s) with an expiry date left as they are"] if rows else []
            return Plan(changes=[f"create {what}"], warnings=warnings, data={"old": []})
        shown = next((r.value for r in valid if r.value), None)  # 4.1 shows it to its creator
        known = shown or ctx.options.get("known_token")
        plan = Plan(reason=f"{what} already exists")
        if known:
            ctx.facts["token"] = known
        else:
            plan.warnings.append(UNKNOWN_VALUE)
        return plan

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        user, service = user_fact(ctx, self.params.user), service_fact(ctx, self.params.service)
        page = TokensPage(ctx.site)
        ctx.facts["token"] = page.create(self.params.name, user.id, user.fullname, service.id, service.name,
                                         self.params.ip_restriction)
        ctx.facts["token_minted"] = True
        for token_id in plan.data["old"]:
            page.delete(token_id)
