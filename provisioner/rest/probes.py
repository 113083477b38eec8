"""One call per function that proves access and capability without changing anything on the site.

Call order matters, and it was read in Moodle 5.0's source: the web-service server first authenticates
the token and checks the function is in the token's service (webservice/lib.php load_function_info()),
then validates the parameters against the function's description (execute()), and only then runs the
function. A malformed request therefore fails *before* any capability check and proves nothing, so every
probe below sends well-formed parameters and relies on a failure that the function raises only *after*
its own require_capability().
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from provisioner.rest import capabilities as caps


@dataclass(frozen=True)
class ProbeTarget:
    """What the probes need to know about the site: the token's own user and one course."""

    username: str | None
    userid: int | None
    course_id: int | None          # a real course when one is visible; else the site course
    course_is_site: bool = False


@dataclass(frozen=True)
class Probe:
    function: str
    params: Callable[[ProbeTarget], dict[str, Any] | None]  # None: cannot be probed safely
    proof_errorcodes: frozenset[str] = field(default_factory=frozenset)
    unprobed_reason: str = ""
    caveat: str = ""  # what even a successful probe cannot prove (shown to non-admins only)


def _own_user_lookup(t: ProbeTarget) -> dict[str, Any] | None:
    # core_user_get_users checks no capability: users the caller may not see are silently dropped.
    # Looking up the token's own user always succeeds for a caller who may call the function at all.
    return {"criteria": [{"key": "username", "value": t.username}]} if t.username else None


def _create_existing_user(t: ProbeTarget) -> dict[str, Any] | None:
    # user/externallib.php create_users(): validate_context(system) and
    # require_capability('moodle/user:create') come first; then, inside the loop and before any write,
    # "Username already exists" (invalidparameter). We send the token user's own, existing username.
    # Two more backstops in case the username were somehow free: no password and no createpassword
    # ("Invalid password: you must provide a password"), and an invalid e-mail ("Email address is
    # invalid"); both are raised before user_create_user(). The parameters are well-formed (username,
    # firstname, lastname, email are the required keys), so the server's own validation passes.
    if not t.username:
        return None
    return {"users": [{"username": t.username, "firstname": "Provisioner", "lastname": "Probe",
                       "email": "not-an-email-address"}]}


def _enrol_with_no_role(t: ProbeTarget) -> dict[str, Any] | None:
    # enrol/manual/externallib.php enrol_users(), per enrolment: validate_context(course) (course access),
    # require_capability('enrol/manual:enrol'), the user must exist and be active (the token's own user
    # is), then get_assignable_roles() must contain roleid, else `wsusercannotassign`. Role id 0 never
    # exists, so the call always stops there, before the enrolment instance is looked up or anything
    # is written. In the site course the capability still resolves through the system-level role.
    if t.course_id is None or t.userid is None:
        return None
    return {"enrolments": [{"roleid": 0, "userid": t.userid, "courseid": t.course_id}]}


PROBES: dict[str, Probe] = {
    # Read-only; its answer also lists the functions in the token's service.
    caps.SITE_INFO: Probe(caps.SITE_INFO, lambda t: {}),
    # Read-only, and exactly what Enrollait's sync calls: every course goes through validate_context()
    # and require_capability('moodle/course:view'); one inaccessible course fails the whole call.
    caps.GET_COURSES: Probe(caps.GET_COURSES, lambda t: {}),
    # Read-only; no criteria, as the sync uses it. Hidden categories are left out without
    # moodle/category:viewhiddencategories rather than refused.
    caps.GET_CATEGORIES: Probe(caps.GET_CATEGORIES, lambda t: {}),
    caps.GET_USERS: Probe(
        caps.GET_USERS, _own_user_lookup,
        unprobed_reason="the token's own username is unknown (site info was refused)",
        caveat="can never fail on a capability: users the token may not see are silently left out "
               "(needs moodle/user:viewdetails, moodle/user:viewalldetails, moodle/site:viewuseridentity)"),
    caps.CREATE_USERS: Probe(
        caps.CREATE_USERS, _create_existing_user, frozenset({"invalidparameter"}),
        unprobed_reason="the token's own username is unknown (site info was refused); "
                        "probing with a guessed one could create a user"),
    # Read-only: validate_context(system), then the course must be viewable (`coursehidden`).
    caps.ENROL_METHODS: Probe(
        caps.ENROL_METHODS, lambda t: {"courseid": t.course_id} if t.course_id is not None else None,
        unprobed_reason="no course to ask about"),
    caps.MANUAL_ENROL: Probe(
        caps.MANUAL_ENROL, _enrol_with_no_role, frozenset({"wsusercannotassign"}),
        unprobed_reason="not checkable: no course and no known user id",
        caveat="proves enrol/manual:enrol and course access; whether the user may assign the Student role "
               "(moodle/role:assign and Allow role assignments) cannot be proved without enrolling someone"),
}
