"""Token rotation without downtime: mint a new token, prove it over REST, hand it off, and only then delete
the old ones. The runner stops at the first failed step, so the old tokens are never deleted before the new
one was verified and delivered.

Proving and delivering are given in as callables by the command (REST and hand-off are not this layer's).
If either fails, the run is left as safe as it can be, and says so: a new token that does not verify is deleted
again (the site is as before); a verified one whose hand-off failed is saved privately (`rescue`) and named,
and the old tokens stay, so nothing that uses them breaks.
"""
from __future__ import annotations

from collections.abc import Callable

from provisioner.errors import HandoffError, StepError
from provisioner.pages.tokens import TokensPage
from provisioner.secrets import Secret
from provisioner.steps.base import Plan, Step, StepContext
from provisioner.steps.connection import ConnectionSpec, NoParams, token_ids
from provisioner.steps.facts import service_fact, user_fact

Prove = Callable[[Secret], "str | None"]      # the new token → what is wrong with it over REST, or None
HandOff = Callable[[Secret], list[str]]        # the new token → where it was delivered (raises HandoffError)
Rescue = Callable[[Secret], str]               # the new token → the private file it was saved to


class MintToken(Step):
    kind = "token"
    Params = NoParams

    def __init__(self, name: str, spec: ConnectionSpec):
        super().__init__(name, NoParams())
        self.spec = spec

    def plan(self, ctx: StepContext) -> Plan:
        if ctx.facts.get("new_token_id"):
            return Plan(reason=f"token id {ctx.facts['new_token_id']} minted by this run")
        t = self.spec.token
        return Plan(changes=[f"mint a new non-expiring token '{t.name}' for '{t.user}' on '{t.service}'"])

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        t = self.spec.token
        user, service = user_fact(ctx, t.user), service_fact(ctx, t.service)
        ctx.facts["new_token"] = TokensPage(ctx.site).create(t.name, user.id, user.fullname, service.id,
                                                             service.name, t.ip_restriction)
        new = [i for i in token_ids(ctx, user, service) if i not in ctx.facts["old_tokens"]]
        if len(new) != 1:
            raise StepError(f"Moodle showed a new token, but the token list shows {len(new)} new token(s) for "
                            f"'{user.username}'; the old one(s) are kept", url=ctx.site.page.url)
        ctx.facts["new_token_id"] = new[0]


class HandOffNewToken(Step):
    kind = "handoff"
    Params = NoParams

    def __init__(self, name: str, spec: ConnectionSpec, targets: list[str], prove: Prove, hand_off: HandOff,
                 rescue: Rescue):
        super().__init__(name, NoParams())
        self.spec, self.targets = spec, targets
        self.prove, self.hand_off, self.rescue = prove, hand_off, rescue

    def plan(self, ctx: StepContext) -> Plan:
        if "delivered" in ctx.facts:
            return Plan(reason="verified over REST and handed off: " + (", ".join(ctx.facts["delivered"])
                                                                      or "nowhere (no --token-out, no --handoff)"))
        return Plan(changes=["verify the new token over REST", *[f"hand it off to {t}" for t in self.targets]],
                    warnings=[] if self.targets else ["no --token-out and no --handoff: the new token will be "
                                                      "saved to a private file under the artifacts folder"])

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        token, token_id = ctx.facts["new_token"], ctx.facts["new_token_id"]
        problem = self.prove(token)
        if problem:
            raise StepError(f"the new token does not work over REST ({problem}); the old token(s) are kept, and "
                            f"the new one {self._withdraw(ctx, token, token_id)}")
        try:
            delivered = self.hand_off(token)
        except HandoffError as exc:
            done = getattr(exc, "delivered", [])
            saved = self.rescue(token)
            raise StepError(f"{exc}; the old token(s) are kept and still work; the new, verified token (id "
                            f"{token_id}) is saved in {saved} (mode 0600)" + (f", and was delivered to "
                                                                             f"{', '.join(done)}" if done else ""))
        ctx.facts["delivered"] = delivered

    def _withdraw(self, ctx: StepContext, token: Secret, token_id: int) -> str:
        try:
            TokensPage(ctx.site).delete(token_id)
            return f"(id {token_id}) was deleted again"
        except StepError as exc:
            return f"(id {token_id}) could not be deleted ({exc.message}) and is saved in {self.rescue(token)}"


class DeleteTokens(Step):
    """The user has no token on the service but the one this run minted (rotate) or none at all (revoke)."""

    kind = "token_absent"
    Params = NoParams

    def __init__(self, name: str, spec: ConnectionSpec):
        super().__init__(name, NoParams())
        self.spec = spec

    def _stale(self, ctx: StepContext) -> list[int]:
        user, service = user_fact(ctx, self.spec.token.user), service_fact(ctx, self.spec.token.service)
        return [i for i in token_ids(ctx, user, service) if i != ctx.facts.get("new_token_id")]

    def plan(self, ctx: StepContext) -> Plan:
        stale = self._stale(ctx)
        kept = ctx.facts.get("new_token_id")
        if not stale:
            return Plan(reason=f"'{self.spec.token.user}' has no token on '{self.spec.token.service}'"
                               + (f" but the new one (id {kept})" if kept else ""))
        return Plan(changes=[f"delete token id {i} of '{self.spec.token.user}' on '{self.spec.token.service}'"
                             for i in stale], data={"stale": stale})

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        page, deleted = TokensPage(ctx.site), []
        for token_id in plan.data["stale"]:
            try:
                page.delete(token_id)
            except StepError as exc:
                left = [i for i in plan.data["stale"] if i not in deleted]
                exc.message += (f" (deleted: {', '.join(map(str, deleted)) or 'none'}; still there: "
                                f"{', '.join(map(str, left))})")
                raise
            deleted.append(token_id)
