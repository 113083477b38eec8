"""Which engine runs a sandbox: the one it was made with, else the one asked for (auto: docker where an
engine answers and holds the images). The engines are imported only when chosen."""
from __future__ import annotations

from provisioner.errors import SandboxError
from provisioner.sandbox.model import Engine
from provisioner.sandbox.progress import Progress, quiet


def docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - no engine, no socket, no permission: all mean "no"
        return False


def docker_ready(images: dict[str, str | None] | None = None) -> bool:
    """A Docker engine answers and already holds the images a new sandbox would use (the compose
    file's, after MOODLE_*_IMAGE and the given overrides). Without them `auto` takes the native engine
    rather than start a pull of several hundred MB that nobody asked for (--engine docker pulls)."""
    if not docker_answers():
        return False
    import docker

    from provisioner.sandbox.docker import compose
    from provisioner.sandbox.docker import images as docker_images

    images = images or {}
    client = docker.from_env(timeout=3)
    try:
        docker_images.require_local(client, list(compose.images_for(images.get("php"), images.get("db")).values()))
        return True
    except Exception:  # noqa: BLE001 - an image missing, or a compose file we cannot read: not ready
        return False
    finally:
        client.close()


def choose_engine(kind: str = "auto", images: dict[str, str | None] | None = None,
                  progress: Progress = quiet) -> Engine:
    if kind == "auto":
        kind = "docker" if docker_ready(images) else "native"
    if kind == "native":
        from provisioner.sandbox.native.engine import NativeEngine

        return NativeEngine(progress=progress)
    if kind == "docker":
        from provisioner.sandbox.docker.engine import DockerEngine

        return DockerEngine(progress=progress)
    raise SandboxError(f"unknown engine {kind!r}: use auto, native or docker")


def engine_for(name: str, kind: str = "auto", images: dict[str, str | None] | None = None,
               progress: Progress = quiet) -> Engine:
    """An existing sandbox keeps the engine it was made with; --engine only chooses for new ones."""
    from provisioner.sandbox import state as state_mod
    from provisioner.sandbox.paths import SandboxPaths

    existing = state_mod.load(SandboxPaths(name).state_file)
    if existing:
        if kind not in ("auto", existing.engine):
            raise SandboxError(f"sandbox '{name}' runs on the {existing.engine} engine, not {kind}: "
                               f"`provisioner sandbox down --purge --name {name}` to start over")
        kind = existing.engine
    return choose_engine(kind, images, progress)
