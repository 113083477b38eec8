"""Verify a token: who it is, which of the seven functions its service has, and which it can really call.

Only Moodle's answers are trusted: "in service" comes from core_webservice_get_site_info's `functions`,
"callable" from one side-effect-free call per function (probes.py). Moodle refusals are recorded per
function, not raised; the doctor reads them. Only a failure that stops every call (site unreachable,
web services off, invalid token) ends the check early, as `Verification.problem`.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx

from provisioner.rest import access_checks
from provisioner.rest import capabilities as caps
from provisioner.rest.client import (ENDPOINT_FORBIDDEN, HTTP_AUTH, NOT_MOODLE, SERVER_ERROR, UNREACHABLE,
                                     WRONG_SITE_URL, MoodleRestClient, RestError)
from provisioner.rest.preview import SyncPreview, build_preview
from provisioner.rest.probes import PROBES, ProbeTarget
from provisioner.network import Network
from provisioner.releases import release_notes
from provisioner.secrets import Secret, redact_all

# Refusals that every function would get alike: probing the rest adds nothing.
SITE_LEVEL_CODES = frozenset({
    ENDPOINT_FORBIDDEN, UNREACHABLE, NOT_MOODLE, WRONG_SITE_URL, HTTP_AUTH, SERVER_ERROR, "invalidtoken",
    "sitemaintenance",
    "wsaccessusersuspended", "wsaccessuserdeleted", "wsaccessuserunconfirmed", "wsaccessusernologin",
    "wsaccessuserexpired", "usernotconfirmed", "passwordisexpired",
})
COURSE_ACCESS_CODES = frozenset({"errorcoursecontextnotvalid", "requireloginerror", "coursehidden"})
# require_login() refuses a user who has not agreed to the site's policy (site administrators and users
# with the 'webservice' authentication are exempt), linking to where it is agreed to: core's
# user/policy.php or the Policies tool's pages. The link is the same in every language; the words are not.
_SITE_POLICY_LINK = re.compile(r"/(user/policy\.php|admin/tool/policy/)")
SITE_POLICY_CAUSE = ("the user has not agreed to the site policy: give it the 'webservice' authentication "
                     "(the playbook's user_auth), which Moodle exempts from it, or make it a site administrator")
# What may leave this module about the site; get_site_info also returns `userprivateaccesskey`.
SITE_INFO_FIELDS = ("sitename", "siteurl", "release", "version", "username", "userid", "fullname", "lang",
                    "userissiteadmin", "siteid")


@dataclass
class FunctionCheck:
    name: str
    in_service: bool | None          # None: unknown, site info was refused
    callable: bool | None            # None: not probed
    errorcode: str | None = None
    cause: str = ""
    capability: str | None = None    # the missing capability, when Moodle's answer names one
    caveat: str = ""
    debuginfo: str | None = None
    probe_known: bool = True         # False: a function beyond the seven; only membership is checked

    @property
    def ok(self) -> bool:
        if not self.probe_known:
            return self.in_service is True
        return self.in_service is not False and self.callable is True


@dataclass
class SiteProblem:
    errorcode: str
    message: str
    debuginfo: str | None = None
    canonical_url: str | None = None


@dataclass
class Verification:
    site_url: str
    checked_at: str
    site_name: str | None = None
    release: str | None = None
    version: str | None = None
    username: str | None = None
    userid: int | None = None
    is_site_admin: bool | None = None
    access: str | None = None        # "site_admin", "role" (any other user), None: unknown
    missing_capabilities: list[str] = field(default_factory=list)
    functions: list[FunctionCheck] = field(default_factory=list)
    sync_preview: SyncPreview | None = None
    problem: SiteProblem | None = None
    site_info: dict[str, Any] = field(default_factory=dict)  # SITE_INFO_FIELDS + function names only

    @property
    def ok(self) -> bool:
        return self.problem is None and bool(self.functions) and all(f.ok for f in self.functions)

    def check(self, name: str) -> FunctionCheck | None:
        return next((f for f in self.functions if f.name == name), None)

    @property
    def release_notes(self) -> list[str]:
        """Not tested with this tool, past Moodle's security support: worth saying, not a failure."""
        return release_notes(self.release or "")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["release_notes"] = self.release_notes
        for f in data["functions"]:
            f["ok"] = self.check(f["name"]).ok
        return redact_all(data)



def classify(function: str, error: RestError | None, in_service: bool | None,
             proof_errorcodes: frozenset[str] = frozenset()) -> FunctionCheck:
    """One probe's outcome as a check: success or the expected proof = callable; anything else = not."""
    check = FunctionCheck(function, in_service, True)
    if error is None:
        check.cause = "answered"
        return check
    check.errorcode, check.debuginfo = error.errorcode, error.debuginfo
    if error.errorcode in proof_errorcodes:
        check.cause = f"proved: {error.errorcode} comes only after the capability check"
        return check
    check.callable = False
    if error.errorcode == "sitepolicynotagreed" or any(_SITE_POLICY_LINK.search(link) for link in error.links):
        check.cause = SITE_POLICY_CAUSE
    elif error.errorcode == "accessexception":
        check.capability = caps.capability_in_debuginfo(error.debuginfo)
        check.cause = ("not in the token's service" if in_service is False else
                       f"refused by the web-service layer: {error.debuginfo or error.message}")
    elif error.errorcode == "nopermissions":
        check.capability = caps.capability_from_nopermissions(function, error.message, error.debuginfo)
        check.cause = f"missing capability {check.capability}"
    elif error.errorcode in COURSE_ACCESS_CODES:
        check.capability = _course_capability(error)
        check.cause = f"cannot access a course: {error.message}"
    else:
        check.cause = error.message
    return check


def _course_capability(error: RestError) -> str:
    # require_login()'s debuginfo, when the site shows it, says which check failed.
    if error.errorcode == "coursehidden" or "hidden" in (error.debuginfo or "").lower():
        return "moodle/course:viewhiddencourses"
    return "moodle/course:view"


def verify(site_url: str, token: Secret, expected_functions: tuple[str, ...] = caps.SEVEN, *,
           timeout: float = 30.0, transport: httpx.BaseTransport | None = None,
           network: Network | None = None) -> Verification:
    with MoodleRestClient(site_url, token, timeout=timeout, transport=transport, network=network) as client:
        return _verify(client, expected_functions)


def _verify(client: MoodleRestClient, expected: tuple[str, ...]) -> Verification:
    v = Verification(client.site_url, datetime.now(timezone.utc).isoformat(timespec="seconds"))
    answers: dict[str, Any] = {}
    errors: dict[str, RestError] = {}

    def probe(name: str, target: ProbeTarget) -> None:
        params = PROBES[name].params(target)
        if params is None:
            return
        try:
            answers[name] = client.call(name, params)
        except RestError as exc:
            errors[name] = exc

    probe(caps.SITE_INFO, ProbeTarget(None, None, None))
    first = errors.get(caps.SITE_INFO)
    if first is not None and first.errorcode in SITE_LEVEL_CODES:
        v.problem = SiteProblem(first.errorcode, first.message, first.debuginfo, first.canonical_url)
        v.functions = [FunctionCheck(n, None, None, first.errorcode, "not checked: " + first.message)
                       for n in expected]
        return v

    info = answers.get(caps.SITE_INFO) or {}
    _read_site_info(v, info)
    in_service = {f["name"] for f in info.get("functions", [])} if info else None

    probe(caps.GET_COURSES, ProbeTarget(None, None, None))
    probe(caps.GET_CATEGORIES, ProbeTarget(None, None, None))
    site_course = int(info.get("siteid") or 1)
    course_id, is_site = _probe_course(answers.get(caps.GET_COURSES), errors.get(caps.GET_COURSES),
                                       site_course)
    target = ProbeTarget(v.username, v.userid, course_id, is_site)
    for name in expected:
        if name in PROBES and name not in answers and name not in errors:
            probe(name, target)

    for name in expected:
        member = None if in_service is None else name in in_service
        if name not in PROBES:
            v.functions.append(FunctionCheck(name, member, None, probe_known=False,
                                             cause="in-service check only: no side-effect-free call known"))
        elif name not in answers and name not in errors:
            v.functions.append(FunctionCheck(name, member, None, cause="not checked: "
                                             + PROBES[name].unprobed_reason))
        else:
            check = classify(name, errors.get(name), member, PROBES[name].proof_errorcodes)
            answered = v.is_site_admin or (v.is_site_admin is False and name in access_checks.CHECKED)
            check.caveat = "" if answered else PROBES[name].caveat
            if is_site and name == caps.MANUAL_ENROL and check.callable:
                check.caveat = ("checked in the site course, as no other course is visible; "
                                + check.caveat).rstrip("; ")
            v.functions.append(check)
    _refine_course_capability(v, caps.ENROL_METHODS in answers, errors.get(caps.ENROL_METHODS))
    if v.is_site_admin is False:
        access_checks.apply_shortfalls(v.functions, access_checks.role_shortfalls(
            client, v.userid, site_course, answers.get(caps.GET_CATEGORIES), answers.get(caps.GET_COURSES)))
    v.missing_capabilities = sorted({cap.strip() for f in v.functions if not f.ok and f.capability
                                     for cap in f.capability.split(",")})

    if caps.GET_COURSES in answers and caps.GET_CATEGORIES in answers:
        v.sync_preview = build_preview(answers[caps.GET_CATEGORIES], answers[caps.GET_COURSES], site_course)
    return v


def _read_site_info(v: Verification, info: dict[str, Any]) -> None:
    if not info:
        return
    if info.get("userprivateaccesskey"):
        Secret(info["userprivateaccesskey"])  # registered so that redact() scrubs it if it ever leaks
    v.site_name, v.release = info.get("sitename"), info.get("release")
    v.version = str(info["version"]) if info.get("version") is not None else None
    v.username, v.userid = info.get("username"), info.get("userid")
    v.is_site_admin = info.get("userissiteadmin")  # absent before Moodle 3.x's addition: unknown
    if v.is_site_admin is not None:
        v.access = "site_admin" if v.is_site_admin else "role"
    v.site_info = {k: info[k] for k in SITE_INFO_FIELDS if k in info}
    v.site_info["functions"] = sorted(f["name"] for f in info.get("functions", []))


def _probe_course(courses: Any, error: RestError | None, site_course: int) -> tuple[int, bool]:
    """The course the course-level probes use: the one get_courses choked on, else a real one."""
    if error is not None and error.errorcode == "errorcoursecontextnotvalid":
        failing = caps.course_id_in(error.message)
        if failing is not None:
            return failing, False
    for course in courses or []:
        if course.get("id") != site_course and course.get("format") != "site":
            return int(course["id"]), False
    return site_course, True


def _refine_course_capability(v: Verification, methods_answered: bool, methods_error: RestError | None) -> None:
    """Tell moodle/course:view from moodle/course:viewhiddencourses when debuginfo is not shown.

    get_courses and enrol_users both fail "Course or activity not accessible" either way. The enrolment
    methods probe ran on the same course: `coursehidden` there means the course is hidden and the token
    may not see hidden courses; an answer means the course is visible, so course:view is what lacks.
    """
    hidden = methods_error is not None and methods_error.errorcode == "coursehidden"
    if not (hidden or methods_answered):
        return
    for check in v.functions:
        if check.errorcode in ("errorcoursecontextnotvalid", "requireloginerror") and not check.debuginfo:
            check.capability = "moodle/course:viewhiddencourses" if hidden else "moodle/course:view"
