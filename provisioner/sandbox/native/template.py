"""The native engine's templates (templates.py): what is kept of an installed site, and the copy a new
sandbox starts from. Kept: the cluster's data folder, copied while the cluster is stopped (a copy of a
running cluster would not be consistent), with the site's database in it (not its reset template);
moodledata as the reset template keeps it; config.php as installed.
"""
from __future__ import annotations

import shutil

from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.native.postgres import Cluster
from provisioner.sandbox.profile import ProfileRecord
from provisioner.sandbox.state import SandboxState
from provisioner.sandbox.templates import (Template, TemplateStore, copy_preserving, rewritten_config,
                                           template_key)

ENGINE = "native"
PG_DATA, MOODLEDATA, CONFIG = "pg-data", "moodledata", "config.php"


def keep(current: SandboxState, paths: SandboxPaths, cluster: Cluster, record: ProfileRecord,
         release_key: str, databases: tuple[str, str], store: TemplateStore | None = None) -> None:
    """Keep this site as the template of its release and profile, unless one is kept already. Called
    right after the reset template was taken; databases: (the site's, its reset template's)."""
    site_database, reset_database = databases
    store = store or TemplateStore(ENGINE)
    key = template_key(release_key, record.profile, record.languages)
    if store.find(key):
        return

    def fill(folder) -> None:
        # Only the site's database goes into the template, not its reset template beside it: half the
        # bytes every new sandbox copies (measured: 5.6 s of a 14.4 s copy of the school site).
        cluster.drop_database(reset_database)
        cluster.stop()
        try:
            copy_preserving(paths.pg_data, folder / PG_DATA)
        finally:
            cluster.start()
            cluster.create_database(reset_database, template=site_database)
        copy_preserving(paths.moodledata_template, folder / MOODLEDATA)
        shutil.copyfile(paths.config_template, folder / CONFIG)

    store.save(Template(engine=ENGINE, key=key, version=current.version, release=current.release,
                        url=current.url, root=str(paths.root), admin_user=current.admin_user,
                        admin_password=current.admin_password, profile=record.to_dict()), fill)


def copy_site(template: Template, paths: SandboxPaths, cluster: Cluster) -> None:
    """The template's cluster and moodledata into a new sandbox's folder, the cluster's socket moved."""
    cluster.prepare_folders()
    copy_preserving(template.folder / PG_DATA, paths.pg_data)
    conf = paths.pg_data / "postgresql.conf"
    conf.write_text(conf.read_text().replace(template.root.rstrip("/") + "/", f"{paths.root}/"))
    copy_preserving(template.folder / MOODLEDATA, paths.moodledata)


def write_config(template: Template, paths: SandboxPaths, url: str) -> None:
    """The template's config.php in the sandbox's code copy, moved to its folder and `url`."""
    config = paths.code / CONFIG
    config.write_text(rewritten_config((template.folder / CONFIG).read_text(), template, paths.root, url))
