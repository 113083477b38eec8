"""`provisioner sandbox templates`: the releases kept on this machine to copy new sandboxes from, per
engine, with what each holds and the disk it takes; `--remove KEY` (or `--remove-all`) lets one go."""
from __future__ import annotations

import os
from pathlib import Path

import click

from provisioner.errors import SandboxError
from provisioner.sandbox.templates import TemplateStore

ENGINES = ("native", "docker")


@click.command("templates")
@click.option("--remove", "remove_keys", multiple=True, metavar="KEY",
              help="Let this kept template go (its files, and a docker one's volumes). Repeatable.")
@click.option("--remove-all", is_flag=True, help="Let every kept template go.")
def templates(remove_keys: tuple[str, ...], remove_all: bool) -> None:
    """The templates kept on this machine: a new sandbox of one of these releases is a copy, in seconds."""
    kept = {(t.engine, t.key): t for engine in ENGINES for t in TemplateStore(engine).entries()}
    if remove_all:
        remove_keys = tuple(key for _engine, key in kept)
    if remove_keys:
        for key in remove_keys:
            engines = [engine for engine, k in kept if k == key]
            if not engines:
                raise SandboxError(f"no kept template '{key}': `provisioner sandbox templates` lists them")
            for engine in engines:
                _forget(engine, key)
                click.echo(f"removed the {engine} template {key}")
        return
    if not kept:
        click.echo("no template kept yet: the first sandbox of a release keeps one")
        return
    click.echo(f"{'engine':<8}{'key':<44}{'release':<28}{'profile':<9}{'packs':<8}size")
    for (engine, key), template in sorted(kept.items()):
        record = template.profile or {}
        profile = record.get("profile") or "plain"
        packs = ",".join(record.get("languages") or []) or "-"
        size = _size(template.folder) if engine == "native" else "in volumes"
        click.echo(f"{engine:<8}{key:<44}{template.release:<28}{profile:<9}{packs:<8}{size}")


def _forget(engine: str, key: str) -> None:
    if engine == "docker":
        from provisioner.sandbox.docker import template as docker_template
        from provisioner.sandbox.docker.engine import DockerEngine

        docker_template.forget(DockerEngine().client, key)
    else:
        TemplateStore(engine).remove(key)


def _size(folder: Path | None) -> str:
    total = 0
    for root, _dirs, files in os.walk(folder or "."):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return f"{total / 2**20:.0f} MiB"

