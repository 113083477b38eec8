"""A docker sandbox's site beyond install: its language packs and school profile (what profile.apply()
asks of an engine), and a site served under a sub-path."""
from __future__ import annotations

import io
import tarfile

from provisioner.sandbox import profile as profile_mod
from provisioner.sandbox.docker import compose
from provisioner.sandbox.docker.site_cli import CODE, DATA, DockerSiteCli
from provisioner.sandbox.langpacks import LangPack
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.source import open_tree
from provisioner.sandbox.state import SandboxState

SERVED = "/var/www/site"  # the document root of a site under a sub-path


class DockerSite:
    """A docker sandbox as profile.apply() sees it, through its DockerEngine (not imported here: the
    engine imports this module)."""
    def __init__(self, engine, current: SandboxState, paths: SandboxPaths):
        self.engine, self.current, self.paths = engine, current, paths
        self.record_file = paths.profile_file

    def restore(self) -> None:
        self.engine._reset(self.current.name)  # within `up`, which holds the sandbox's lock

    def cli(self) -> DockerSiteCli:
        return self.engine._site_cli(self.current.name)

    def install_pack(self, pack: LangPack) -> None:
        """A pack's folder into moodledata/lang/, as Moodle's own language import puts it."""
        name = self.current.name
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            tar.add(pack.path, arcname=pack.code)
        self.engine._exec("moodle", name, ["sh", "-c", f"rm -rf {DATA}/lang/{pack.code} && mkdir -p {DATA}/lang"])
        self.engine.client.containers.get(f"{compose.prefix(name)}-moodle").put_archive(f"{DATA}/lang",
                                                                                      archive.getvalue())
        self.engine._exec("moodle", name, ["chown", "-R", "www-data:", f"{DATA}/lang"])

    def languages(self) -> list[str]:
        listed = self.engine._exec("moodle", self.current.name,
                                   ["sh", "-c", f"for d in {DATA}/lang/*/; do [ -f \"$d/langconfig.php\" ] "
                                                "&& basename \"$d\"; done; true"])
        return sorted(line for line in listed.split() if line)

    def retake(self, record: profile_mod.ProfileRecord) -> None:
        self.engine._take_template(self.current, self.paths, record)


def serve_under_path(arguments: dict, current: SandboxState, paths: SandboxPaths) -> None:
    """A site under a sub-path, as the native engine serves one: Apache's document root is a folder of
    its own (APACHE_DOCUMENT_ROOT, which Moodle HQ's image honours too) where the sub-path is a link
    to the code's web root, so the host's root answers 404 and Moodle's URLs start with the sub-path."""
    web = paths.root / "web"
    link = web / current.path.lstrip("/")
    link.parent.mkdir(parents=True, exist_ok=True)
    webroot = CODE + ("/public" if open_tree(paths.code).webroot != paths.code else "")
    if link.is_symlink():
        link.unlink()
    link.symlink_to(webroot)  # resolved inside the container
    arguments["volumes"][str(web)] = {"bind": SERVED, "mode": "ro"}
    arguments["environment"]["APACHE_DOCUMENT_ROOT"] = SERVED
