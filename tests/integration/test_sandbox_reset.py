"""reset puts the site back to just-installed: database and moodledata alike."""
from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration


def config_value(site, name: str) -> str | None:
    rows = site.sql("SELECT value FROM mdl_config WHERE name = %s", name)
    return rows[0][0] if rows else None


@pytest.mark.matrix
def test_reset_undoes_database_changes(fresh_moodle):
    site_name = fresh_moodle.sql("SELECT fullname FROM mdl_course WHERE id = 1")[0][0]
    assert config_value(fresh_moodle, "enablewebservices") == "0"

    fresh_moodle.sql("UPDATE mdl_config SET value = '1' WHERE name = 'enablewebservices'")
    fresh_moodle.sql("UPDATE mdl_course SET fullname = %s WHERE id = 1", "Changed by a test")
    fresh_moodle.sql("INSERT INTO mdl_user (username, auth, mnethostid, confirmed) "
                     "VALUES ('resetprobe', 'manual', 1, 1)")
    assert config_value(fresh_moodle, "enablewebservices") == "1"

    fresh_moodle.reset()

    assert config_value(fresh_moodle, "enablewebservices") == "0"
    assert fresh_moodle.sql("SELECT fullname FROM mdl_course WHERE id = 1")[0][0] == site_name
    assert fresh_moodle.sql("SELECT id FROM mdl_user WHERE username = 'resetprobe'") == []
    assert httpx.get(f"{fresh_moodle.url}/login/index.php", timeout=60).status_code == 200


def test_each_fresh_moodle_starts_clean(fresh_moodle):
    """Runs after a test that changed the site (file order); fresh_moodle must hide that."""
    fresh_moodle.sql("UPDATE mdl_config SET value = '1' WHERE name = 'enablewebservices'")
    fresh_moodle.reset()
    assert config_value(fresh_moodle, "enablewebservices") == "0"
