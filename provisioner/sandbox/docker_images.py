"""The docker sandbox's images are looked up in the local image store, never pulled.

A pull would hide minutes (or a Docker Hub that cannot be reached) inside `sandbox up` or a test; a
missing image is said up front instead, with the command that provides it.
"""
from __future__ import annotations

from provisioner.errors import SandboxError

STANDIN_PREFIX = "moodle-provisioner/"  # images built here by docker/standin/build.sh
BUILD_SCRIPT = "docker/standin/build.sh"


def how_to_get(image: str) -> str:
    if image.startswith(STANDIN_PREFIX):
        return f"build it with `{BUILD_SCRIPT}`"
    return (f"pull it with `docker pull {image}`, or use images built here: `{BUILD_SCRIPT}`, then "
            f"--php-image {STANDIN_PREFIX}php-apache:8.2 --db-image {STANDIN_PREFIX}postgres:15")


def require_local(client, images: list[str]) -> None:
    import docker

    missing = []
    for image in images:
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            missing.append(image)
    if missing:
        raise SandboxError("; ".join(f"image {image} is not in the local image store: {how_to_get(image)}"
                                     for image in missing))
