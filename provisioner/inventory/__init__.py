"""Inventories: many sites for one playbook. The file's format and validation (loader), its sites' secrets
(credentials), and which sites a run takes (selection). Running them is provisioner.fleet's job."""
from provisioner.inventory.credentials import SignIn, read_sign_in
from provisioner.inventory.loader import load_inventory
from provisioner.inventory.model import Inventory, SecretSource, Site, VarsLayer
from provisioner.inventory.selection import Shard, limit, only, parse_shard, shard, shard_from

__all__ = ["Inventory", "SecretSource", "Shard", "SignIn", "Site", "VarsLayer", "limit", "load_inventory", "only",
           "parse_shard", "read_sign_in", "shard", "shard_from"]
