"""The docker engine's templates (templates.py). Kept: the database volume, copied while the db container is
stopped, with the site's database and its reset template in it, and moodledata as the reset template
keeps it, each in a volume of the template's own; config.php in the template's folder. Paths inside the
containers are the same for every sandbox, so a copy only moves the URL.

A template is bound to the database image too: PostgreSQL's data folder is not readable by another
major version.
"""
from __future__ import annotations

import hashlib
import shutil

from provisioner.sandbox.docker import compose
from provisioner.sandbox.templates import Template, TemplateStore, template_key

ENGINE = "docker"
CONFIG = "config.php"
LABEL = "moodle-provisioner.template"
# what each kept volume is copied from, and to in a new sandbox: (the template's, the sandbox's)
VOLUMES = (("dbdata", "dbdata"), ("moodledata", "moodledata"))


def key_suffix(db_image: str) -> str:
    return "_db-" + hashlib.sha1(db_image.encode()).hexdigest()[:8]


def docker_key(release_key: str, profile: str | None, languages: list[str], db_image: str) -> str:
    return template_key(release_key, profile, languages) + key_suffix(db_image)


def volume(key: str, which: str) -> str:
    """The template's volume: named by a digest, as keys hold characters volume names may not."""
    return f"mp-template-{hashlib.sha1(key.encode()).hexdigest()[:12]}_{which}"


def copy_volumes(client, image: str, pairs: list[tuple[str, str]]) -> None:
    """Each (source, target) volume's files into the target, owners kept, in one throwaway container of
    an image the sandbox already has (its PHP image has sh, find and cp)."""
    mounts, script = {}, []
    for n, (source, target) in enumerate(pairs):
        mounts[source] = {"bind": f"/from/{n}", "mode": "ro"}
        mounts[target] = {"bind": f"/to/{n}", "mode": "rw"}
        script.append(f"find /to/{n} -mindepth 1 -delete && cp -a /from/{n}/. /to/{n}/")
    client.containers.run(image, entrypoint=["sh", "-c", " && ".join(script)], volumes=mounts, user="root",
                          remove=True, labels={LABEL: "copy"})


def keep(engine, current, paths, record, release_key: str, store: TemplateStore | None = None) -> None:
    """Keep this sandbox as the template of its release, profile and database image, unless one is kept
    already. Called right after the reset template was taken."""
    store = store or TemplateStore(ENGINE)
    key = docker_key(release_key, record.profile, record.languages, current.images["db"])
    if store.find(key):
        return

    def fill(folder) -> None:
        client = engine.client
        for which, _ in VOLUMES:
            for old in client.volumes.list(filters={"name": volume(key, which)}):
                old.remove(force=True)
            client.volumes.create(volume(key, which), labels={LABEL: key})
        db = client.containers.get(f"{compose.prefix(current.name)}-db")
        db.stop(timeout=30)  # a copy of a running cluster's files would not be consistent
        try:
            copy_volumes(client, current.images["moodle"],
                         [(compose.volume_name(current.name, "dbdata"), volume(key, "dbdata")),
                          (compose.volume_name(current.name, "moodledata-template"), volume(key, "moodledata"))])
        finally:
            db.start()
            engine._until_db_ready(current.name)
        shutil.copyfile(paths.config_template, folder / CONFIG)

    store.save(Template(engine=ENGINE, key=key, version=current.version, release=current.release,
                        url=current.url, root=str(paths.root), admin_user=current.admin_user,
                        admin_password=current.admin_password, profile=record.to_dict()), fill)


def copy_site(client, template: Template, name: str, image: str) -> None:
    """The template's volumes into a new sandbox's (made here, labelled as docker-compose labels its own)."""
    pairs = []
    for kept, mine in VOLUMES:
        target = compose.volume_name(name, mine)
        client.volumes.create(target, labels=compose.volume_labels(name, mine))
        pairs.append((volume(template.key, kept), target))
    copy_volumes(client, image, pairs)



def forget(client, key: str, store: TemplateStore | None = None) -> None:
    """A kept template gone: its volumes, then its folder (a copy starting meanwhile finds it whole or not)."""
    (store or TemplateStore(ENGINE)).remove(key)
    for which, _ in VOLUMES:
        for kept in client.volumes.list(filters={"name": volume(key, which)}):
            kept.remove(force=True)
