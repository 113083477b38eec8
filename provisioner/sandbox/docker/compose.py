"""Read docker/moodle-compose.yml and turn each service into Docker SDK `containers.run` arguments.

The compose file stays the one description of the Docker sandbox (people can run it with
docker-compose); the engine only realises it through the SDK, one sandbox per compose project
(mp-<sandbox>), naming volumes and the network as docker-compose does, so that both find the same data.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from provisioner.errors import SandboxError
from provisioner.sandbox.requirements import Requirements

COMPOSE_FILE = Path(__file__).resolve().parents[3] / "docker" / "moodle-compose.yml"
LABEL = "moodle-provisioner.sandbox"
_VARIABLE = re.compile(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}")


def substitute(text: str, variables: dict[str, str], environ: bool = True) -> str:
    """The ${VAR}, ${VAR:-default} and ${VAR:?error} forms that the compose file uses."""
    def one(match: re.Match) -> str:
        name, how, extra = match.groups()
        value = variables.get(name) or (os.environ.get(name) if environ else None)
        if value:
            return value
        if how == ":?":
            raise SandboxError(f"compose file needs {name}: {extra}")
        return extra if how == ":-" else ""
    return _VARIABLE.sub(one, text)


def load(variables: dict[str, str], path: Path = COMPOSE_FILE, environ: bool = True) -> dict:
    if not path.is_file():
        raise SandboxError(f"compose file not found: {path} (the docker engine needs a source checkout)")
    return yaml.safe_load(substitute(path.read_text(), variables, environ))


def prefix(sandbox: str) -> str:
    """The compose project name of a sandbox; its containers are <prefix>-<service>."""
    return f"mp-{sandbox}"


def volume_name(sandbox: str, volume: str) -> str:
    return f"{prefix(sandbox)}_{volume}"  # docker-compose's own naming: <project>_<volume>


def volume_labels(sandbox: str, volume: str) -> dict[str, str]:
    """What docker-compose marks its volumes with; without them it warns that they are not its own."""
    return {"com.docker.compose.project": prefix(sandbox), "com.docker.compose.volume": volume}


def network_name(sandbox: str) -> str:
    return f"{prefix(sandbox)}_default"  # the network docker-compose makes for a project


def images(spec: dict) -> dict[str, str]:
    """service -> image, after the MOODLE_*_IMAGE variables were substituted."""
    return {service: body["image"] for service, body in spec["services"].items()}


def images_for(php: str | None = None, db: str | None = None, needs: Requirements | None = None) -> dict[str, str]:
    """service -> image a new sandbox would use: those given, else MOODLE_PHP_IMAGE / MOODLE_DB_IMAGE from
    the environment, else the compose file's defaults, raised where the tree's own requirements (`needs`,
    from its environment.xml) ask for more: Moodle HQ's PHP image and PostgreSQL's of the versions it names
    (5.2: PHP 8.3; 5.3: PostgreSQL 17), as moodle-docker picks them per release."""
    defaults = images(load({"MOODLE_CODE": ".", "MOODLE_PORT": "0"}, environ=False))
    php = php or os.environ.get("MOODLE_PHP_IMAGE") or _suited(defaults["moodle"], needs and needs.php)
    db = db or os.environ.get("MOODLE_DB_IMAGE") or _suited(defaults["db"], needs and needs.postgres)
    return images(load({"MOODLE_CODE": ".", "MOODLE_PORT": "0", "MOODLE_PHP_IMAGE": php, "MOODLE_DB_IMAGE": db}))


def _suited(default: str, needed: tuple[int, int] | int | None) -> str:
    """The default image, or the same image at the tag the release needs where its tag is older."""
    name, _, tag = default.rpartition(":")
    if needed is None or not re.fullmatch(r"\d+(\.\d+)?", tag):
        return default
    wanted = ".".join(map(str, needed)) if isinstance(needed, tuple) else str(needed)
    have = tuple(int(p) for p in tag.split("."))
    want = tuple(int(p) for p in wanted.split("."))
    return f"{name}:{wanted}" if have < want else default


def run_arguments(sandbox: str, service: str, spec: dict) -> dict:
    """Keyword arguments for client.containers.run() for one compose service (the engine adds the
    service name as the container's alias on the network: Moodle reaches PostgreSQL as `db`)."""
    volumes = {}
    for entry in spec.get("volumes", []):
        source, target = entry.split(":")[:2]
        if not source.startswith("/"):
            source = volume_name(sandbox, source)  # named volumes are per sandbox
        volumes[source] = {"bind": target, "mode": "rw"}
    ports = {}
    for entry in spec.get("ports", []):
        host, host_port, container_port = str(entry).rsplit(":", 2)
        ports[f"{container_port}/tcp"] = (host, int(host_port))
    return {
        "image": spec["image"], "command": spec.get("command"), "name": f"{prefix(sandbox)}-{service}",
        "detach": True,
        "environment": {k: str(v) for k, v in (spec.get("environment") or {}).items()},
        "volumes": volumes, "ports": ports, "network": network_name(sandbox),
        "labels": {LABEL: sandbox, f"{LABEL}.service": service},
    }
