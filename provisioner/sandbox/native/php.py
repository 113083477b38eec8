"""Check the system PHP before anything is started, so a missing piece is named up front."""
from __future__ import annotations

import shutil
import subprocess

from provisioner.errors import SandboxError
from provisioner.sandbox.source import MoodleRelease

# Extensions Moodle's environment check requires (plus pgsql for our database), and the Debian
# package that brings each one; {v} is PHP's major.minor, as in php8.2-pgsql.
REQUIRED_EXTENSIONS = {
    "pgsql": "php{v}-pgsql", "curl": "php{v}-curl", "dom": "php{v}-xml", "xml": "php{v}-xml",
    "xmlreader": "php{v}-xml", "simplexml": "php{v}-xml", "mbstring": "php{v}-mbstring",
    "zip": "php{v}-zip", "gd": "php{v}-gd", "intl": "php{v}-intl", "iconv": "php{v}-common",
    "ctype": "php{v}-common", "fileinfo": "php{v}-common", "tokenizer": "php{v}-common",
    "openssl": "php{v}-cli", "sodium": "php{v}-common", "json": "php{v}-cli",
}
# Moodle's own hard minimum per major.minor (lib/phpminimumversionlib.php); newer runs, noisily.
MIN_PHP = {"4.1": (7, 4), "4.5": (8, 1), "5.0": (8, 2)}
DEFAULT_MIN_PHP = (8, 2)

_PROBE = 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION, "\\n", implode("\\n", get_loaded_extensions());'


def find_php(binary: str = "php") -> str:
    path = shutil.which(binary)
    if not path:
        raise SandboxError("PHP not found on PATH: install it (Debian: apt-get install php8.2-cli "
                           "php8.2-pgsql php8.2-curl php8.2-xml php8.2-mbstring php8.2-zip "
                           "php8.2-gd php8.2-intl php8.2-soap)")
    return path


def probe(php: str) -> tuple[tuple[int, int], set[str]]:
    done = subprocess.run([php, "-r", _PROBE], capture_output=True, text=True, timeout=30)
    lines = done.stdout.split()
    if done.returncode or not lines:
        raise SandboxError(f"{php} does not run: {(done.stderr or done.stdout).strip()[-300:]}")
    major, minor = (int(part) for part in lines[0].split(".")[:2])
    return (major, minor), {ext.lower() for ext in lines[1:]}


def check_php(release: MoodleRelease, php: str | None = None, needed: tuple[int, int] | None = None) -> str:
    """Return the PHP binary to use, or raise naming what is missing and its Debian package. `needed`: what
    the tree's environment.xml asks for, where it says."""
    php = php or find_php()
    version, loaded = probe(php)
    short = f"{version[0]}.{version[1]}"
    needed = needed or MIN_PHP.get(release.short, DEFAULT_MIN_PHP)
    if version < needed:
        raise SandboxError(f"Moodle {release.short} needs PHP >= {needed[0]}.{needed[1]}, but {php} is PHP "
                           f"{short}: install a newer PHP, or use --engine docker (its PHP image is chosen "
                           "to suit the release)")
    missing = [ext for ext in REQUIRED_EXTENSIONS if ext not in loaded]
    if missing:
        packages = sorted({REQUIRED_EXTENSIONS[ext].format(v=short) for ext in missing})
        raise SandboxError(f"PHP extension(s) missing: {', '.join(missing)} "
                           f"(Debian: apt-get install {' '.join(packages)})")
    return php
