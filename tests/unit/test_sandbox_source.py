import tarfile
import zipfile
from pathlib import Path

import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.source import MoodleRelease, SourceCache, copy_tree, open_tree


def test_release_names_major_minor_and_a_folder_key():
    release = MoodleRelease(version="2025041406.11", release="5.0.6+ (Build: 20260403)")
    assert release.short == "5.0"
    assert release.key == "5.0.6+-20260403"


def test_open_tree_accepts_the_folder_that_holds_moodle(fake_moodle):
    tree = open_tree(fake_moodle.parent)
    assert tree.root == fake_moodle
    assert tree.release.short == "4.5"
    assert tree.webroot == fake_moodle


def test_the_51_release_keeps_its_cli_scripts_and_config_at_the_code_root(tmp_path, make_moodle):
    root = make_moodle(tmp_path / "m51", release="5.1 (Build: 20251006)", public=True, cli_at_root=True)
    (root / "public" / "config.php").write_text("<?php // Moodle's loader of ../config.php\n")
    tree = open_tree(root)
    assert tree.release.short == "5.1"
    assert tree.webroot == root / "public"
    assert tree.install_script == root / "admin" / "cli" / "install.php"
    assert tree.cli_dir / "cfg.php" == root / "admin" / "cli" / "cfg.php"
    assert tree.config_php == root / "config.php"
    assert tree.web_script("admin/tool/generator/cli/maketestsite.php") == \
        root / "public" / "admin" / "tool" / "generator" / "cli" / "maketestsite.php"


def test_later_builds_keep_the_cli_scripts_under_public(tmp_path, make_moodle):
    root = make_moodle(tmp_path / "m52", release="5.2dev (Build: 20260101)", public=True)
    tree = open_tree(root)
    assert tree.webroot == root / "public"
    assert tree.install_script == root / "public" / "admin" / "cli" / "install.php"
    assert tree.config_php == root / "config.php"  # still the code root, never public/


def test_a_51_tree_is_cached_with_moodles_own_public_config_loader(tmp_path, make_moodle):
    root = make_moodle(tmp_path / "m51", release="5.1 (Build: 20251006)", public=True, cli_at_root=True)
    (root / "public" / "config.php").write_text("<?php // Moodle's loader of ../config.php\n")
    (root / "config.php").write_text("<?php // someone's site\n")
    tree = SourceCache(tmp_path / "cache").add(root)
    assert (tree.root / "public" / "config.php").is_file()  # part of the code, kept
    assert not (tree.root / "config.php").exists()            # a site's, left behind
    copy = tmp_path / "copy"
    copy_tree(tree.root, copy, hardlink=True)
    assert open_tree(copy).install_script == copy / "admin" / "cli" / "install.php"


def test_a_folder_that_is_not_moodle_is_refused_by_name(tmp_path):
    (tmp_path / "somewhere").mkdir()
    with pytest.raises(SandboxError, match=r"not a Moodle tree: .*somewhere"):
        open_tree(tmp_path / "somewhere")


def test_cache_keeps_a_copy_of_a_tree_without_its_config(tmp_path, fake_moodle):
    (fake_moodle / "config.php").write_text("<?php // someone's site\n")
    cache = SourceCache(tmp_path / "cache")
    tree = cache.add(fake_moodle)
    assert tree.root.parent == cache.root
    assert (tree.root / "version.php").is_file()
    assert not (tree.root / "config.php").exists()
    assert cache.find("4.5") == tree and cache.find("5.0") is None


@pytest.mark.parametrize("suffix", [".tgz", ".zip"])
def test_cache_unpacks_an_archive_once(tmp_path, fake_moodle, suffix):
    archive = tmp_path / f"moodle{suffix}"
    if suffix == ".zip":
        with zipfile.ZipFile(archive, "w") as zipped:
            for path in fake_moodle.rglob("*"):
                zipped.write(path, Path("moodle") / path.relative_to(fake_moodle))
    else:
        with tarfile.open(archive, "w:gz") as tarred:
            tarred.add(fake_moodle, arcname="moodle")
    cache = SourceCache(tmp_path / "cache")
    first = cache.add(archive)
    (first.root / "marker").write_text("kept")
    again = cache.add(archive)  # known by its sha256: not unpacked a second time
    assert again.root == first.root and (again.root / "marker").exists()
    assert [t.release.release for t in cache.entries()] == ["4.5.3 (Build: 20250310)"]


def test_cache_picks_the_newest_build_of_a_version(tmp_path, make_moodle):
    cache = SourceCache(tmp_path / "cache")
    cache.add(make_moodle(tmp_path / "a", "4.5.1 (Build: 20241201)", "2024100701.00"))
    cache.add(make_moodle(tmp_path / "b", "4.5.3 (Build: 20250310)", "2024100703.00"))
    cache.add(make_moodle(tmp_path / "c", "4.1.9 (Build: 20240101)", "2022112809.00"))
    assert cache.find("4.5").release.release.startswith("4.5.3")
    assert cache.find().release.short == "4.5"


def test_an_unknown_file_is_refused(tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("hello")
    with pytest.raises(SandboxError, match="not a Moodle tree or release archive"):
        SourceCache(tmp_path / "cache").add(stray)
    with pytest.raises(SandboxError, match="not found"):
        SourceCache(tmp_path / "cache").add(tmp_path / "missing.tgz")


def test_copy_tree_hard_links_and_leaves_the_source_untouched(tmp_path, fake_moodle):
    copy = tmp_path / "copy"
    copy_tree(fake_moodle, copy, hardlink=True)
    assert (copy / "version.php").stat().st_ino == (fake_moodle / "version.php").stat().st_ino
    (copy / "config.php").write_text("<?php // the sandbox's own\n")
    assert not (fake_moodle / "config.php").exists()
