"""Playbooks: YAML + Jinja2 → validated step specs, checked before a browser starts."""
from provisioner.playbook.loader import Playbook, load_playbook

__all__ = ["Playbook", "load_playbook"]
