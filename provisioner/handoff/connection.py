"""The verified connection handed to Enrollait, and the only place its payload reveals the token."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from provisioner.secrets import Secret

if TYPE_CHECKING:
    from provisioner.rest.verify import Verification


@dataclass(frozen=True)
class Connection:
    site_url: str
    token: Secret                 # repr shows ***; payload() is the one place that reveals it
    site_info: dict[str, Any] = field(default_factory=dict)
    verification: dict[str, Any] = field(default_factory=dict)
    verified: bool = False

    @classmethod
    def from_verification(cls, verification: Verification, token: Secret) -> Connection:
        return cls(verification.site_url, Secret(token), dict(verification.site_info),
                   verification.to_dict(), verification.ok)

    def payload(self) -> dict[str, Any]:
        return {"site_url": self.site_url, "token": self.token.reveal(), "site_info": self.site_info,
                "verification": self.verification}

    def idempotency_key(self) -> str:
        """The same for every retry and re-run that hands off this token for this site; new after rotation.

        Moodle's token id is not visible over REST, so the key derives from the token through a salted
        SHA-256: one-way, and the receiver already gets the token itself, so it learns nothing new.
        """
        material = f"provisioner-handoff-v1\0{self.site_url}\0{self.token.reveal()}".encode()
        return hashlib.sha256(material).hexdigest()[:32]
