"""Language packs given as folders: recognised by their langconfig.php, cached per branch, matched to a site."""
from pathlib import Path

import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.langpacks import LangPackCache, install, installed, read_pack, resolve, suits

HEADER = """<?php
/**
 * Strings for component 'langconfig', language '{code}', version '{branch}'.
 *
 * @package     langconfig
 */
defined('MOODLE_INTERNAL') || die();
$string['thislanguage'] = 'Whatever';
"""


def make_pack(folder: Path, code: str = "es", branch: str = "4.5") -> Path:
    folder.mkdir(parents=True)
    (folder / "langconfig.php").write_text(HEADER.format(code=code, branch=branch))
    (folder / "moodle.php").write_text("<?php $string['login'] = 'Acceder';\n")
    return folder


@pytest.mark.parametrize("pack, site, ok", [
    ("4.5", "4.5", True), ("4.5", "5.0", True), ("4.5", "5.1", True),
    ("4.1", "4.1", True), ("4.1", "4.5", False), ("4.1", "5.0", False),
    ("4.5", "4.1", False), ("5.0", "4.5", False), ("4.1", "4.4", True),
])
def test_a_pack_serves_its_branch_and_later_ones_up_to_the_next_lts(pack, site, ok):
    assert suits(pack, site) is ok


def test_language_and_branch_come_from_the_amos_header(tmp_path):
    pack = read_pack(make_pack(tmp_path / "anything", code="fr", branch="4.1"))
    assert (pack.code, pack.branch) == ("fr", "4.1")


def test_a_folder_that_is_not_a_pack_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SandboxError, match="not a Moodle language pack: .*langconfig.php"):
        read_pack(tmp_path / "empty")
    (tmp_path / "empty" / "langconfig.php").write_text("<?php $string['thislanguage'] = 'X';\n")
    with pytest.raises(SandboxError, match="cannot tell which language and Moodle branch"):
        read_pack(tmp_path / "empty")


def test_a_folder_is_checked_against_the_site_then_cached_and_later_found_by_code(tmp_path):
    cache = LangPackCache(tmp_path / "cache")
    folder = make_pack(tmp_path / "upstream_45" / "es")
    [pack] = resolve([str(folder)], "5.1", cache)
    assert pack.path == tmp_path / "cache" / "4.5" / "es" and (pack.path / "moodle.php").is_file()
    assert resolve(["es"], "4.5", cache) == [pack]          # no folder needed any more
    assert cache.suiting("5.0") == [pack] and cache.suiting("4.1") == []


def test_a_pack_for_another_branch_is_refused_before_anything_is_installed(tmp_path):
    cache = LangPackCache(tmp_path / "cache")
    folder = make_pack(tmp_path / "upstream_41" / "es", branch="4.1")
    with pytest.raises(SandboxError, match=r"'es' language pack at .* is for Moodle 4\.1; this site runs Moodle 5\.0"):
        resolve([str(folder)], "5.0", cache)
    assert cache.entries() == []


def test_a_code_without_a_cached_pack_says_to_pass_the_folder_once(tmp_path):
    cache = LangPackCache(tmp_path / "cache")
    make_pack(tmp_path / "cache" / "4.5" / "es")
    with pytest.raises(SandboxError, match=r"no cached 'es' pack suits Moodle 4\.1: pass its folder once"):
        resolve(["es"], "4.1", cache)
    with pytest.raises(SandboxError, match="no such folder"):
        resolve([str(tmp_path / "nowhere" / "es")], "4.5", cache)


def test_the_newest_suiting_branch_wins(tmp_path):
    cache = LangPackCache(tmp_path / "cache")
    make_pack(tmp_path / "cache" / "4.1" / "de", code="de", branch="4.1")
    make_pack(tmp_path / "cache" / "4.5" / "de", code="de", branch="4.5")
    assert cache.find("de", "4.1").branch == "4.1"
    assert cache.find("de", "5.0").branch == "4.5"


def test_install_copies_the_pack_into_moodledata_lang(tmp_path):
    pack = read_pack(make_pack(tmp_path / "pack" / "es"))
    moodledata = tmp_path / "moodledata"
    install(pack, moodledata)
    install(pack, moodledata)  # again: replaced, not nested
    assert (moodledata / "lang" / "es" / "langconfig.php").is_file()
    assert not (moodledata / "lang" / "es" / "es").exists()
    assert installed(moodledata) == ["es"] and installed(tmp_path / "none") == []
