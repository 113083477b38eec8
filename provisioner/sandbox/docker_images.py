"""The docker sandbox's images are looked up in the local image store, never pulled.

A pull would hide minutes (or a Docker Hub that cannot be reached) inside `sandbox up` or a test; a
missing image is said up front instead, with the command that provides it.
"""
from __future__ import annotations

from provisioner.errors import SandboxError

STANDIN_PREFIX = "moodle-provisioner/"  # images built here by docker/standin/build.sh
BUILD_SCRIPT = "docker/standin/build.sh"


def how_to_get(missing: list[str]) -> str:
    """One sentence for all missing images: pulling is the user's choice, never ours."""
    ours = [image for image in missing if image.startswith(STANDIN_PREFIX)]
    theirs = [image for image in missing if image not in ours]
    ways = [f"build {', '.join(ours)} with `{BUILD_SCRIPT}`"] if ours else []
    if theirs:
        ways.append(f"pull {', '.join(theirs)} (`docker pull IMAGE`), or build stand-ins with `{BUILD_SCRIPT}` "
                    f"and use --php-image {STANDIN_PREFIX}php-apache:8.2 --db-image {STANDIN_PREFIX}postgres:15 "
                    "(or MOODLE_PHP_IMAGE / MOODLE_DB_IMAGE)")
    return "; ".join(ways)


def require_local(client, images: list[str]) -> None:
    import docker

    missing = []
    for image in images:
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            missing.append(image)
    if missing:
        raise SandboxError(f"not in the local image store (images are never pulled here): {', '.join(missing)}: "
                           f"{how_to_get(missing)}")
