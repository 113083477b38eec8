"""Hand a verified connection to Enrollait: stdout, a private file, or a webhook. Called at a run's end."""
from provisioner.handoff.connection import Connection
from provisioner.handoff.targets import WEBHOOK_TOKEN_ENV, deliver, parse_targets
from provisioner.handoff.webhook import RetryPolicy

__all__ = ["Connection", "RetryPolicy", "WEBHOOK_TOKEN_ENV", "deliver", "parse_targets"]
