"""Say what is wrong with a connection and which seed step fixes it.

Everything here reads errorcodes and the function list of core_webservice_get_site_info; no PHP class
name is ever matched. Three refusals need more than one answer to tell apart:

* HTTP 403 with an empty body comes from server.php both when web services are off and when REST is
  off. /login/token.php checks only `enablewebservices`, so it decides between step 1 and step 2.
* `accessexception` comes for a function missing from the service, a disabled service, an unauthorised
  user and a user without webservice/rest:use alike. When site info answers, its `functions` list
  names what is missing (step 5). When site info itself is refused, another function answering proves
  the service works and site info alone is missing; all refused points at the authorised-users list.
* An expired token gets `accessexception` once: Moodle deletes it and answers `invalidtoken` afterwards.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import httpx

from provisioner.rest import capabilities as caps
from provisioner.rest.client import (ENDPOINT_FORBIDDEN, HTTP_AUTH, NOT_MOODLE, SERVER_ERROR, UNREACHABLE,
                                     WRONG_SITE_URL,
                                     MoodleRestClient, RestError)
from provisioner.rest.verify import SITE_POLICY_CAUSE, Verification, verify
from provisioner.network import Network
from provisioner.secrets import Secret, redact

SEED_STEPS = {
    1: "Enable web services",
    2: "Enable the REST protocol",
    3: "Create the integration user",
    4: "Create the external service",
    5: "Add the functions to the service",
    6: "Authorise the user on the service",
    7: "Give the user access (site administrator, or the integration role with the capability)",
    8: "Create a token",
}
USER_STATE_CODES = {
    "wsaccessusersuspended": "suspended", "wsaccessuserdeleted": "deleted",
    "wsaccessuserunconfirmed": "unconfirmed", "usernotconfirmed": "unconfirmed",
    "wsaccessusernologin": "set to 'No login'", "wsaccessuserexpired": "password expired",
    "passwordisexpired": "password expired",
}


@dataclass
class Finding:
    cause: str
    step: int | None
    detail: str = ""
    function: str | None = None
    capability: str | None = None

    @property
    def step_name(self) -> str | None:
        return SEED_STEPS.get(self.step) if self.step else None

    def to_dict(self) -> dict:
        return {**{k: redact(v) if isinstance(v, str) else v for k, v in asdict(self).items()},
                "step_name": self.step_name}


def diagnose(site_url: str, token: Secret, *, timeout: float = 30.0,
             transport: httpx.BaseTransport | None = None, network: Network | None = None) -> list[Finding]:
    """Findings, most fundamental first; an empty list means the connection is healthy."""
    return examine(site_url, token, timeout=timeout, transport=transport, network=network)[0]


def examine(site_url: str, token: Secret, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None,
            network: Network | None = None) -> tuple[list[Finding], Verification]:
    """The findings, and the verification they were read from (its release notes are worth showing)."""
    verification = verify(site_url, token, timeout=timeout, transport=transport, network=network)
    findings = explain(verification, lambda: _web_services_enabled(site_url, token, timeout, transport, network))
    return findings, verification


def _web_services_enabled(site_url, token, timeout, transport, network) -> bool | None:
    try:
        with MoodleRestClient(site_url, token, timeout=timeout, transport=transport, network=network) as client:
            return client.web_services_enabled()
    except RestError:
        return None


def explain(v: Verification, web_services_enabled=lambda: None) -> list[Finding]:
    """Pure reading of a Verification (plus, for a 403, one question to /login/token.php)."""
    if v.problem is not None:
        return [_site_level(v, web_services_enabled)]
    site_info = v.check(caps.SITE_INFO)
    if site_info is not None and site_info.errorcode == "accessexception":
        return [_site_info_refused(v, site_info)]
    return _per_function(v)


def _site_level(v: Verification, web_services_enabled) -> Finding:
    p = v.problem
    if p.errorcode == ENDPOINT_FORBIDDEN:
        enabled = web_services_enabled()
        if enabled is False:
            return Finding("Web services are disabled", 1,
                           "server.php answers HTTP 403 and /login/token.php says web services are off")
        if enabled is True:
            return Finding("The REST protocol is disabled", 2,
                           "server.php answers HTTP 403 while /login/token.php says web services are on")
        return Finding("Web services or the REST protocol are disabled", 1,
                       "server.php answers HTTP 403; /login/token.php could not tell which (check step 2 too)")
    if p.errorcode == "invalidtoken":
        return Finding("The token is invalid or expired", 8,
                       "Moodle does not know this token: mistyped, deleted, or expired (Moodle deletes an "
                       "expired token the first time it is used)")
    if p.errorcode in USER_STATE_CODES:
        return Finding(f"The token's user is {USER_STATE_CODES[p.errorcode]}", 3, p.message)
    if p.errorcode == WRONG_SITE_URL:
        return Finding("The site URL is not the one Moodle knows itself by", None, p.message)
    if p.errorcode == UNREACHABLE:
        return Finding("The site cannot be reached", None, p.message)
    if p.errorcode == NOT_MOODLE:
        return Finding("The address does not answer like a Moodle site", None, p.message)
    if p.errorcode == HTTP_AUTH:
        return Finding("HTTP authentication in front of Moodle stops the call", None, p.message)
    if p.errorcode == SERVER_ERROR:
        return Finding("The site fails with a server error", None, p.message)
    if p.errorcode == "sitemaintenance":
        return Finding("The site is in maintenance mode", None, p.message)
    return Finding(f"Moodle refused every call: {p.message}", None, p.debuginfo or "")


def _site_info_refused(v: Verification, site_info) -> Finding:
    debuginfo = site_info.debuginfo or ""
    others = [f for f in v.functions if f.name != caps.SITE_INFO and f.errorcode != "accessexception"
              and f.callable is not None]
    if site_info.capability:  # debuginfo named it: "missing capability: webservice/rest:use"
        return Finding(f"The user lacks {site_info.capability}", 7, debuginfo,
                       capability=site_info.capability)
    if "token expired" in debuginfo or any(f.errorcode == "invalidtoken" for f in others):
        return Finding("The token has expired", 8, "Moodle refused it once as expired and then deleted it; "
                       "create a token without an expiry date")
    if "IP:" in debuginfo:
        return Finding("The token or authorised user is IP-restricted against this machine", 8, debuginfo)
    if others:
        return Finding(f"{caps.SITE_INFO} is missing from the service", 5,
                       f"other functions answer ({', '.join(f.name for f in others)}), so the service "
                       "and the user's access work", function=caps.SITE_INFO)
    return Finding("The user is not authorised on the restricted service", 6,
                   "every function is refused with accessexception. The same answer comes when the "
                   "service is disabled (step 4) or a non-admin user lacks webservice/rest:use (step 7); "
                   "the site shows which only with debugging on", )


def _per_function(v: Verification) -> list[Finding]:
    findings: list[Finding] = []
    by_capability: dict[str, list[str]] = {}
    policy_refused = [f.name for f in v.functions if not f.ok and f.cause == SITE_POLICY_CAUSE]
    if policy_refused:
        findings.append(Finding("The token's user has not agreed to the site policy", 3,
                                f"{SITE_POLICY_CAUSE}; refused: {', '.join(policy_refused)}",
                                function=policy_refused[0]))
    for f in v.functions:
        if f.ok or f.name in policy_refused:
            continue
        if f.in_service is False:
            findings.append(Finding(f"{f.name} is missing from the service", 5,
                                    "core_webservice_get_site_info does not list it", function=f.name))
        elif f.capability:
            by_capability.setdefault(f.capability, []).append(f.name)
        elif f.callable is None:
            findings.append(Finding(f"{f.name} could not be checked", None, f.cause, function=f.name))
        else:
            findings.append(Finding(f"{f.name} is refused: {f.cause}", None, f.errorcode or "",
                                    function=f.name))
    for capability, functions in by_capability.items():
        admin = "the user is not a site administrator; " if v.is_site_admin is False else ""
        findings.append(Finding(f"The user lacks {capability}", 7,
                                f"{admin}refused: {', '.join(functions)}", function=functions[0],
                                capability=capability))
    return sorted(findings, key=lambda f: f.step or 99)
