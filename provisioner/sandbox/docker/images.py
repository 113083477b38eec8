"""The docker sandbox's images: pulled as `docker compose up` pulls them (--pull missing|always|never,
default missing), with progress per image; a pull that fails names the image and how to point at a
mirror. Tests and CI here use `never`: a missing image is then said up front with how to get it.
"""
from __future__ import annotations

from provisioner.errors import SandboxError
from provisioner.sandbox.progress import Progress, quiet

STANDIN_PREFIX = "moodle-provisioner/"  # images built here by docker/standin/build.sh
BUILD_SCRIPT = "docker/standin/build.sh"
PULL_POLICIES = ("missing", "always", "never")
PULL_ENV = "PROVISIONER_PULL"  # --pull's environment variable: CI sets never


def how_to_get(missing: list[str]) -> str:
    """One sentence for all missing images, where pulling is not to happen (--pull never)."""
    ours = [image for image in missing if image.startswith(STANDIN_PREFIX)]
    theirs = [image for image in missing if image not in ours]
    ways = [f"build {', '.join(ours)} with `{BUILD_SCRIPT}`"] if ours else []
    if theirs:
        ways.append(f"pull {', '.join(theirs)} (--pull missing, or `docker pull IMAGE`), or build stand-ins with "
                    f"`{BUILD_SCRIPT}` and use --php-image {STANDIN_PREFIX}php-apache:8.2 --db-image "
                    f"{STANDIN_PREFIX}postgres:15 (or MOODLE_PHP_IMAGE / MOODLE_DB_IMAGE)")
    return "; ".join(ways)


def missing_images(client, images: list[str]) -> list[str]:
    import docker

    absent = []
    for image in images:
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            absent.append(image)
    return absent


def require_local(client, images: list[str]) -> None:
    missing = missing_images(client, images)
    if missing:
        raise SandboxError(f"not in the local image store: {', '.join(missing)}: "
                           f"{how_to_get(missing)}")


def ensure(client, images: list[str], policy: str = "missing", progress: Progress = quiet) -> None:
    """Make the images local as the policy says, before anything of a sandbox is made."""
    if policy not in PULL_POLICIES:
        raise SandboxError(f"--pull {policy!r}: use {', '.join(PULL_POLICIES)}")
    if policy == "never":
        require_local(client, images)
        return
    wanted = images if policy == "always" else missing_images(client, images)
    for image in wanted:
        pull(client, image, progress)


def pull(client, image: str, progress: Progress = quiet) -> None:
    """docker pull, reporting the bytes of all the image's layers together."""
    import docker

    layers: dict[str, tuple[int, int]] = {}  # layer id -> (bytes done, bytes in all)
    task = progress.start(f"pulling {image}", unit="bytes")
    try:
        for event in client.api.pull(image, stream=True, decode=True):  # the SDK splits tag or digest
            if "error" in event:
                raise SandboxError(_pull_failed(image, event["error"]))
            detail = event.get("progressDetail") or {}
            if event.get("id") and detail.get("total"):
                layers[event["id"]] = (detail.get("current", 0), detail["total"])
            elif event.get("id") and event.get("status") in ("Download complete", "Pull complete", "Already exists"):
                done = layers.get(event["id"], (0, 0))[1]
                layers[event["id"]] = (done, done)
            task.update(sum(d for d, _ in layers.values()), sum(t for _, t in layers.values()) or None)
    except docker.errors.DockerException as exc:
        raise SandboxError(_pull_failed(image, str(exc))) from None
    finally:
        task.finish()
    if missing_images(client, [image]):
        raise SandboxError(_pull_failed(image, "the engine reported no error, but the image is not there"))


def _pull_failed(image: str, reason: str) -> str:
    return (f"cannot pull {image}: {reason.strip()[-300:]}. Where the registry cannot be reached, point at a "
            "mirror: --php-image / --db-image (MOODLE_PHP_IMAGE / MOODLE_DB_IMAGE) with the mirror's name for "
            f"it, or dockerd's registry-mirrors; or build stand-ins with `{BUILD_SCRIPT}`")
