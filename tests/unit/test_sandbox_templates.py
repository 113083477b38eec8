"""Templates kept per engine, release and profile: keys, the store, and config.php moved to a new sandbox."""
import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.templates import Template, TemplateStore, rewritten_config, template_key
from provisioner.secrets import Secret


def template(**overrides) -> Template:
    fields = dict(engine="native", key="5.0.6+-20260403", version="5.0", release="5.0.6+ (Build: 20260403)",
                  url="http://127.0.0.1:8150", root="/var/lib/mp/sandboxes/pytest-50", admin_user="admin",
                  admin_password=Secret("s3cret-Pass"))
    return Template(**fields | overrides)


def test_the_key_names_release_profile_and_languages_in_a_stable_order():
    assert template_key("5.0.6+-20260403", None, []) == "5.0.6+-20260403"
    assert template_key("5.0.6+-20260403", "plain", []) == "5.0.6+-20260403"
    assert template_key("5.0.6+-20260403", "school", ["fr", "es", "es"]) == "5.0.6+-20260403_school_es_fr"


def test_a_saved_template_is_found_whole_with_its_password_kept_private(tmp_path):
    store = TemplateStore("native", home=tmp_path)
    store.save(template(), lambda folder: (folder / "payload").write_text("data"))
    found = store.find("5.0.6+-20260403")
    assert found.admin_password.reveal() == "s3cret-Pass" and found.url == "http://127.0.0.1:8150"
    assert (found.folder / "payload").read_text() == "data"
    assert (found.folder / "template.json").stat().st_mode & 0o077 == 0
    assert store.root.stat().st_mode & 0o077 == 0  # nobody else reaches a template's files
    assert "s3cret" not in repr(found)
    assert [t.key for t in store.entries()] == ["5.0.6+-20260403"]


def test_a_template_that_fails_half_way_leaves_nothing_behind(tmp_path):
    store = TemplateStore("native", home=tmp_path)

    def fail(folder):
        (folder / "half").write_text("x")
        raise SandboxError("disk full")
    with pytest.raises(SandboxError):
        store.save(template(), fail)
    assert store.find("5.0.6+-20260403") is None and list(store.root.iterdir()) == []


def test_an_unreadable_template_is_one_error_without_its_text(tmp_path):
    store = TemplateStore("native", home=tmp_path)
    (store.root / "broken").mkdir(parents=True)
    (store.root / "broken" / "template.json").write_text('{"admin_password": "s3cret-Pass"')
    with pytest.raises(SandboxError, match="unreadable sandbox template") as raised:
        store.find("broken")
    assert "s3cret" not in str(raised.value) and raised.value.__cause__ is None


def test_config_php_is_moved_to_the_new_sandbox_and_its_url():
    config = ("$CFG->dboptions = array('dbsocket' => '/var/lib/mp/sandboxes/pytest-50/pg/run');\n"
              "$CFG->wwwroot   = 'http://127.0.0.1:8150';\n"
              "$CFG->dataroot  = '/var/lib/mp/sandboxes/pytest-50/moodledata';\n")
    from pathlib import Path
    moved = rewritten_config(config, template(), Path("/var/lib/mp/sandboxes/pytest-50-gw1"), "http://127.0.0.1:8251/moodle")
    assert "'/var/lib/mp/sandboxes/pytest-50-gw1/pg/run'" in moved
    assert "$CFG->wwwroot   = 'http://127.0.0.1:8251/moodle';" in moved
    assert "'/var/lib/mp/sandboxes/pytest-50-gw1/moodledata'" in moved
    assert "pytest-50/" not in moved

