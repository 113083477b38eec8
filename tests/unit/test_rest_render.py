"""Tables for people: they show what matters and never a secret."""
from __future__ import annotations

from rich.console import Console

from provisioner.rest import capabilities as caps
from provisioner.rest.doctor import Finding
from provisioner.rest.render import findings_view, verification_view
from provisioner.rest.verify import verify

from test_rest_verify import HEALTHY, SITE, TOKEN, replay


def render(renderable) -> str:
    console = Console(record=True, width=140, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_verification_table_lists_site_user_functions_and_preview():
    text = render(verification_view(verify(SITE, TOKEN, transport=replay(HEALTHY))))
    for expected in ("Scratch", "5.0.6+", "pv_wsuser", "Access", "not a site administrator", *caps.SEVEN, "Sync preview", "OK:"):
        assert expected in text
    assert TOKEN.reveal() not in text


def test_failed_verification_points_at_doctor():
    refused = {"exception": "webservice_access_exception", "errorcode": "accessexception",
               "message": "Access control exception"}
    text = render(verification_view(verify(SITE, TOKEN, transport=replay({**HEALTHY, caps.CREATE_USERS: refused}))))
    assert "NOT OK" in text and "provisioner doctor" in text


def test_findings_show_cause_and_seed_step():
    text = render(findings_view([Finding("The user lacks moodle/user:create", 7, "refused: core_user_create_users",
                                         capability="moodle/user:create")]))
    assert "moodle/user:create" in text and "7. Give the user access" in text


def test_no_findings_says_so():
    assert "Nothing wrong found" in render(findings_view([]))
