"""What a test gets for a real Moodle (MoodleSandbox), shared by the native and docker fixtures."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from provisioner.sandbox import matrix
from provisioner.sandbox import sql as sql_mod
from provisioner.secrets import Secret

LIVE = pytest.StashKey[list]()  # MoodleSandbox objects brought up in this session


@dataclass
class MoodleSandbox:
    """What tests get: the site, its admin login, SQL, and Moodle's command line on it."""
    name: str
    url: str
    admin_user: str
    admin_password: Secret
    version: str  # "5.0"
    release: str  # "5.0.6+ (Build: 20260403)"
    profile: str = "plain"  # "school": generator courses, ~3000 users, 500 Moodle-app tokens
    languages: list[str] = field(default_factory=list)  # language packs installed besides English
    _engine: object = field(repr=False, default=None)
    _forced: bool = field(repr=False, default=False)

    def sql(self, query: str, *params: object) -> list[tuple[str | None, ...]]:
        """Rows as tuples of strings (None for NULL); %s placeholders take params."""
        return sql_mod.parse(self._engine.sql(self.name, sql_mod.render(query, params)))

    def reset(self) -> None:
        """Back to the profile's state: database, moodledata and config.php."""
        self._engine.reset(self.name)
        self._forced = False

    def snapshot(self, label: str) -> bool:
        """Keep the site as it is now under `label` (database and moodledata); False where the
        engine cannot (then tests simply redo what led here). Dropped at the next session's start."""
        if not hasattr(self._engine, "snapshot"):
            return False
        self._engine.snapshot(self.name, label)
        return True

    def restore_snapshot(self, label: str) -> bool:
        """Back to the snapshot `label` taken in this session; False, nothing changed, if none."""
        restored = hasattr(self._engine, "restore") and self._engine.restore(self.name, label)
        if restored:
            self._forced = False
        return restored

    def php(self, code: str) -> str:
        """Run PHP with the site loaded ($CFG, $DB; $USER is the admin); returns what it echoes."""
        return self._engine.site_cli(self.name).php(code)

    def php_json(self, code: str):
        """PHP that echoes json_encode(...): the decoded value."""
        return self._engine.site_cli(self.name).php_json(code)

    def cfg(self, name: str, value: str | None = None, *, component: str | None = None) -> str | None:
        """admin/cli/cfg.php: read a setting (None if unset), or set it as an admin would in the UI."""
        return self._engine.site_cli(self.name).cfg(name, value, component=component)

    def force_config(self, name: str, value: object) -> None:
        """`$CFG->name = value;` in config.php: the admin UI shows the setting but cannot change it.
        Undone at the end of the test, and by reset()."""
        self._forced = True
        self._engine.site_cli(self.name).force_config(name, value)

    def restore_config(self) -> None:
        self._engine.site_cli(self.name).restore_config()
        self._forced = False

    def require_language(self, code: str) -> None:
        """Skip (fail where CI is set) a test that needs a language pack this sandbox lacks."""
        if code not in self.languages:
            unavailable(f"sandbox '{self.name}' has no '{code}' language pack: cache one with "
                        f"`provisioner sandbox up --name {self.name} --langpack DIR`")


def unavailable(reason: str) -> None:
    if matrix.in_ci():
        pytest.fail(f"{reason} (CI is set: the test cannot be skipped)", pytrace=False)
    pytest.skip(reason)
