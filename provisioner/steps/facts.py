"""What steps learn about the site and hand to later steps (ids of the user and the service).

In check mode an object that would be created has id None: later steps then plan against its absence
instead of failing to find it.
"""
from __future__ import annotations

from dataclasses import dataclass

from provisioner.errors import StepError
from provisioner.steps.base import StepContext


@dataclass
class UserFact:
    username: str
    email: str
    fullname: str
    id: int | None


@dataclass
class ServiceFact:
    shortname: str
    name: str
    id: int | None
    restricted_users: bool


def remember_user(ctx: StepContext, fact: UserFact) -> None:
    ctx.facts.setdefault("users", {})[fact.username] = fact


def remember_service(ctx: StepContext, fact: ServiceFact) -> None:
    ctx.facts.setdefault("services", {})[fact.shortname] = fact


def user_fact(ctx: StepContext, username: str) -> UserFact:
    try:
        return ctx.facts["users"][username]
    except KeyError:
        raise StepError(f"user '{username}' is not declared by an earlier 'user' step") from None


def service_fact(ctx: StepContext, shortname: str) -> ServiceFact:
    try:
        return ctx.facts["services"][shortname]
    except KeyError:
        raise StepError(f"service '{shortname}' is not declared by an earlier 'service' step") from None
