"""Moodle code: recognise a tree, read its release, and keep one extracted copy per release.

The cache (~/.cache/moodle-provisioner/moodle/<release>/) is what `up` falls back to when it is
given no source, so a person passes --moodle-src once and never again.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from provisioner.errors import SandboxError
from provisioner.sandbox import paths
from provisioner.sandbox.download import DEFAULT_VERSION

if TYPE_CHECKING:
    from provisioner.sandbox.model import UpRequest

_PHP_VAR = r"^\s*\${name}\s*=\s*'?([^';]+)'?\s*;"
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".zip")


@dataclass(frozen=True)
class MoodleRelease:
    version: str  # $version, e.g. "2025041406.11": orders builds
    release: str  # $release, e.g. "5.0.6+ (Build: 20260403)": what people read

    @property
    def short(self) -> str:
        """Major.minor, e.g. "5.0", the key people use to choose a release."""
        match = re.match(r"(\d+\.\d+)", self.release)
        return match.group(1) if match else self.release

    @property
    def key(self) -> str:
        """A folder name for this build, e.g. "5.0.6+-20260403"."""
        build = re.search(r"Build:\s*(\w+)", self.release)
        head = self.release.split(" ")[0]
        return re.sub(r"[^\w.+-]", "_", f"{head}-{build.group(1)}" if build else head)


@dataclass(frozen=True)
class MoodleTree:
    """A Moodle code root. Up to 5.0 it is also the web root. 5.1+ serve public/ and keep config.php at
    the code root; the 5.1 release keeps admin/cli/ there too, later builds move it under public/."""

    root: Path
    release: MoodleRelease

    @property
    def webroot(self) -> Path:
        return self.root / "public" if (self.root / "public" / "index.php").is_file() else self.root

    @property
    def cli_dir(self) -> Path:
        """admin/cli/ (install.php, cfg.php, ...): at the code root, else under the web root."""
        at_root = self.root / "admin" / "cli"
        return at_root if (at_root / "install.php").is_file() else self.webroot / "admin" / "cli"

    @property
    def install_script(self) -> Path:
        return self.cli_dir / "install.php"

    @property
    def config_php(self) -> Path:
        """Where install.php writes the site's config.php: always the code root."""
        return self.root / "config.php"

    def web_script(self, relative: str) -> Path:
        """A script that ships with the web files, e.g. admin/tool/generator/cli/maketestsite.php."""
        return self.webroot / relative


def read_release(version_php: Path) -> MoodleRelease | None:
    text = version_php.read_text(errors="replace")
    found = {}
    for name in ("version", "release"):
        match = re.search(_PHP_VAR.format(name=name), text, re.MULTILINE)
        if not match:
            return None
        found[name] = match.group(1).strip()
    return MoodleRelease(**found)


def open_tree(path: Path) -> MoodleTree:
    """Accept a Moodle root, its public/ layout, or a folder holding `moodle/` (an unpacked archive)."""
    path = Path(path).expanduser()
    for root in (path, path / "moodle"):
        for version_php in (root / "version.php", root / "public" / "version.php"):
            if version_php.is_file() and (release := read_release(version_php)):
                tree = MoodleTree(root, release)
                if tree.install_script.is_file():
                    return tree
    raise SandboxError(f"not a Moodle tree: {path} has no version.php with $release and "
                       "admin/cli/install.php (at its root, or under public/ for 5.1+)")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _extract(archive: Path, into: Path) -> None:
    tar = shutil.which("tar")
    if tar and not archive.name.endswith(".zip"):  # twice as fast as tarfile on Moodle's 38k files
        done = subprocess.run([tar, "-xzf", str(archive), "-C", str(into), "--no-same-owner"],
                              capture_output=True, text=True)
        if done.returncode:
            raise SandboxError(f"cannot unpack {archive}: {done.stderr.strip()[-400:]}")
        return
    try:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(into)
        else:
            with tarfile.open(archive) as tarred:
                tarred.extractall(into, filter="data")  # refuses absolute paths and '..'
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as exc:
        raise SandboxError(f"cannot unpack {archive}: {exc}") from exc


def copy_tree(src: Path, dst: Path, *, hardlink: bool) -> None:
    """Copy a code tree; hard links make a sandbox's copy nearly free and fall back to real copies
    across file systems. Never carries a config.php or .git along."""
    def link_or_copy(s: str, d: str) -> None:
        if hardlink:
            try:
                Path(d).hardlink_to(s)
                return
            except OSError:
                pass
        shutil.copy2(s, d)

    cp = shutil.which("cp")
    if hardlink and cp and not (src / ".git").exists() and not (src / "config.php").exists():
        if subprocess.run([cp, "-al", str(src), str(dst)], capture_output=True).returncode == 0:
            return  # GNU cp links 38k files in ~1.5 s, four times faster than copytree
        shutil.rmtree(dst, ignore_errors=True)

    def ignore(folder: str, names: list[str]) -> set[str]:  # only the root's config.php is a site's
        return {n for n in names if n == ".git" or (n == "config.php" and Path(folder) == Path(src))}

    shutil.copytree(src, dst, symlinks=True, copy_function=link_or_copy, ignore=ignore)


class SourceCache:
    """One extracted tree per Moodle build, plus an index of archives already seen (by sha256)."""

    def __init__(self, root: Path | None = None):
        self.root = root or paths.cache_home() / "moodle"

    def _index_file(self) -> Path:
        return self.root / "archives.json"

    def _index(self) -> dict[str, str]:
        try:
            return json.loads(self._index_file().read_text())
        except (OSError, ValueError):
            return {}

    def entries(self) -> list[MoodleTree]:
        trees = []
        for meta in sorted(self.root.glob("*.json")):
            folder = self.root / meta.name[: -len(".json")]
            if meta.name != "archives.json" and folder.is_dir():
                trees.append(MoodleTree(folder, MoodleRelease(**json.loads(meta.read_text()))))
        return trees

    def find(self, short: str | None = None) -> MoodleTree | None:
        """The newest cached build, or the newest of one major.minor ("4.5")."""
        matching = [t for t in self.entries() if short is None or t.release.short == short]
        return max(matching, key=lambda t: float(t.release.version), default=None)

    def add(self, source: Path) -> MoodleTree:
        source = Path(source).expanduser()
        if not source.exists():
            raise SandboxError(f"Moodle source not found: {source}")
        self.root.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            return self._store(open_tree(source), move=False)
        if not source.name.endswith(ARCHIVE_SUFFIXES):
            raise SandboxError(f"not a Moodle tree or release archive (.tgz/.zip): {source}")
        digest = _sha256(source)
        known = self._index().get(digest)
        if known and (self.root / known).is_dir():
            return open_tree(self.root / known)
        with tempfile.TemporaryDirectory(dir=self.root, prefix=".unpack-") as tmp:
            _extract(source, Path(tmp))
            tree = self._store(open_tree(Path(tmp)), move=True)
        index = self._index() | {digest: tree.root.name}
        self._index_file().write_text(json.dumps(index, indent=1))
        return tree

    def _store(self, tree: MoodleTree, *, move: bool) -> MoodleTree:
        """Move a freshly unpacked tree into place, or copy a person's own tree (theirs to edit)."""
        target = self.root / tree.release.key
        if not target.is_dir():
            staging = self.root / f".{tree.release.key}.partial"
            shutil.rmtree(staging, ignore_errors=True)
            if move:
                tree.root.rename(staging)
            else:
                copy_tree(tree.root, staging, hardlink=False)
            staging.rename(target)  # atomic: a half-copied tree is never mistaken for a release
        meta = self.root / f"{target.name}.json"
        if not meta.is_file():
            meta.write_text(json.dumps(asdict(tree.release)))
        return MoodleTree(target, tree.release)


def _source_given(request: UpRequest) -> Path | None:
    return request.source or (Path(os.environ["MOODLE_SRC"]) if os.environ.get("MOODLE_SRC") else None)


def resolve_source(request: UpRequest, cache: SourceCache | None = None) -> MoodleTree:
    """--moodle-src (or MOODLE_SRC) wins; then a cached release (the version asked for; else the
    default release, else the newest cached); then a download of the version asked for, or of the
    default release when nothing is asked."""
    cache = cache or SourceCache()
    source = _source_given(request)
    if source:
        tree = cache.add(source)
        if request.moodle_version and tree.release.short != request.moodle_version:
            raise SandboxError(f"--moodle-version {request.moodle_version} asked, but {source} is "
                               f"Moodle {tree.release.release}")
        return tree
    cached = _cached(request, cache)
    if cached:
        return cached
    from provisioner.sandbox.download import download_release

    archive = download_release(request.moodle_version or DEFAULT_VERSION, cache.root / "downloads")
    tree = cache.add(archive)
    archive.unlink(missing_ok=True)  # unpacked into the cache; the index remembers its checksum
    return tree


def _cached(request: UpRequest, cache: SourceCache) -> MoodleTree | None:
    """The version asked for; else the default release, else the newest release cached."""
    if request.moodle_version:
        return cache.find(request.moodle_version)
    return cache.find(DEFAULT_VERSION) or cache.find()


def download_needed(request: UpRequest, cache: SourceCache | None = None) -> str | None:
    """The version `up` would download for this request (to say so before a long silence), or None."""
    if _source_given(request) or _cached(request, cache or SourceCache()):
        return None
    return request.moodle_version or DEFAULT_VERSION
