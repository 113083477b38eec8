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

COMPOSE_FILE = Path(__file__).resolve().parents[3] / "docker" / "moodle-compose.yml"
LABEL = "moodle-provisioner.sandbox"
_VARIABLE = re.compile(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}")


def substitute(text: str, variables: dict[str, str]) -> str:
    """The ${VAR}, ${VAR:-default} and ${VAR:?error} forms that the compose file uses."""
    def one(match: re.Match) -> str:
        name, how, extra = match.groups()
        value = variables.get(name) or os.environ.get(name)
        if value:
            return value
        if how == ":?":
            raise SandboxError(f"compose file needs {name}: {extra}")
        return extra if how == ":-" else ""
    return _VARIABLE.sub(one, text)


def load(variables: dict[str, str], path: Path = COMPOSE_FILE) -> dict:
    if not path.is_file():
        raise SandboxError(f"compose file not found: {path} (the docker engine needs a source checkout)")
    return yaml.safe_load(substitute(path.read_text(), variables))


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


def images_for(php: str | None = None, db: str | None = None) -> dict[str, str]:
    """service -> image a new sandbox would use: those given, else MOODLE_PHP_IMAGE / MOODLE_DB_IMAGE from
    the environment, else the compose file's defaults (the images do not depend on the code or port)."""
    return images(load({"MOODLE_CODE": ".", "MOODLE_PORT": "0", "MOODLE_PHP_IMAGE": php or "",
                        "MOODLE_DB_IMAGE": db or ""}))


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
