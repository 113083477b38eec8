"""Importing this module registers every step kind in REGISTRY."""
from provisioner.steps import (  # noqa: F401  (imported for their @register side effect)
    access,
    authorised_user,
    protocol,
    service,
    service_functions,
    site_admin,
    token,
    user,
    webservices,
)
from provisioner.steps.base import REGISTRY

__all__ = ["REGISTRY"]
