"""A freshly provisioned Moodle verifies: all seven functions in the service and callable, the preview
agrees with the database, and proving it changes nothing on the site."""
from __future__ import annotations

from datetime import date

import pytest

from provisioner.releases import SECURITY_SUPPORT_ENDS
from provisioner.rest.capabilities import SEVEN
from provisioner.rest.verify import verify

from tests.integration.conftest import run_cli

pytestmark = pytest.mark.integration

# What a probe must never change: users, enrolments, role assignments.
STATE = ("SELECT (SELECT COUNT(*) FROM mdl_user), (SELECT COUNT(*) FROM mdl_user_enrolments), "
         "(SELECT COUNT(*) FROM mdl_role_assignments), (SELECT MAX(timemodified) FROM mdl_user)")


@pytest.mark.matrix
def test_healthy_connection_verifies_and_the_probes_change_nothing(site, tmp_path):
    before = site.sandbox.sql(STATE)

    v = verify(site.url, site.token, timeout=60)

    assert v.ok, v.to_dict()
    assert (v.username, v.is_site_admin) == ("enrollait-user", True)
    assert [(f.name, f.in_service, f.callable) for f in v.functions] == [(n, True, True) for n in SEVEN]
    assert v.release == site.sandbox.release
    assert site.sandbox.sql(STATE) == before

    courses, hidden = site.sandbox.sql("SELECT COUNT(*), COUNT(*) FILTER (WHERE visible = 0) FROM mdl_course "
                                       "WHERE format <> 'site'")[0]
    [[categories]] = site.sandbox.sql("SELECT COUNT(*) FROM mdl_course_categories")
    p = v.sync_preview
    assert (p.courses, p.hidden_courses, p.categories) == (int(courses), int(hidden), int(categories))

    token_file = tmp_path / "token"
    token_file.write_text(site.token.reveal() + "\n")
    result = run_cli(site.sandbox, "verify", "--json", "--token-file", str(token_file))
    assert result.code == 0, result.stderr
    assert result.report["ok"] is True and result.report["is_site_admin"] is True
    assert site.token.reveal() not in result.stdout + result.stderr
    # a healthy connection on a release Moodle no longer fixes (4.1; 5.0 since October 2026) says so
    past_support = [n for n in result.report["release_notes"] if "no longer gets security fixes" in n]
    expected = SECURITY_SUPPORT_ENDS[site.sandbox.version] < date.today()
    assert bool(past_support) == expected, result.report["release_notes"]
