"""Typed parameters of every step kind: checked when the playbook loads, before a browser starts."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from provisioner.rest.capabilities import ROLE_ASSIGNS, ROLE_CAPABILITIES
from provisioner.secrets import Secret
from provisioner.steps.base import StepParams

# Moodle's PARAM_USERNAME: lower-case letters, digits and _ - . @ (moodle-admin-ui.md §4).
Username = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.@-]+$", min_length=1, max_length=100)]
# login/token.php reads the short name as PARAM_ALPHANUMEXT.
ShortName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$", min_length=1, max_length=255)]
FunctionName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=100)]
AuthPlugin = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$", min_length=1, max_length=20)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
# A role's short name as Moodle stores it: lower-case PARAM_ALPHANUMEXT, at most 100 characters.
RoleShortName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]+$", min_length=1, max_length=100)]
Capability = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*/[a-z0-9_]+:[a-z0-9_]+$")]


def _unique(values: list[str]) -> list[str]:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"listed more than once: {', '.join(repeated)}")
    return values


class WebServicesParams(StepParams):
    enabled: bool = True


class ProtocolParams(StepParams):
    name: Literal["rest", "soap"] = "rest"
    enabled: bool = True


class UserParams(StepParams):
    username: Username
    email: Email
    firstname: Name
    lastname: Name
    # Not given: generated to satisfy the site's password policy and never shown (Enrollait uses the token).
    password: Secret | None = None
    # The REST server refuses tokens of users whose method is nologin; an adopted account is switched to this.
    auth: AuthPlugin = "manual"


class ServiceParams(StepParams):
    name: Name
    shortname: ShortName
    enabled: bool = True
    restricted_users: bool = True


class ServiceFunctionsParams(StepParams):
    service: ShortName
    functions: Annotated[list[FunctionName], Field(min_length=1), AfterValidator(_unique)]
    prune: bool = False  # remove functions the service has beyond this list


class AuthorisedUserParams(StepParams):
    service: ShortName
    user: Username


class SiteAdminParams(StepParams):
    user: Username


class AccessParams(StepParams):
    """How the integration user gets the capabilities the functions check: as a site administrator (all of
    them), or through a system role holding exactly those (and not a site administrator)."""

    mode: Literal["site_admin", "role"] = "site_admin"
    user: Username
    role_name: Name = "Enrollait integration"
    role_shortname: RoleShortName = "enrollait_integration"
    capabilities: Annotated[list[Capability], Field(min_length=1), AfterValidator(_unique)] = \
        list(ROLE_CAPABILITIES)
    assign_roles: Annotated[list[RoleShortName], AfterValidator(_unique)] = list(ROLE_ASSIGNS)


class TokenParams(StepParams):
    name: Name = "Enrollait Token"
    user: Username
    service: ShortName
    valid_until: Literal["never"] = "never"
    ip_restriction: str = ""
