"""The TOTP factor of Moodle's MFA (tool_mfa, 4.3+), answered for an unattended login.

The secret is what the admin's authenticator app holds: the base32 text Moodle shows under the QR code
when the factor is set up, or the `otpauth://` URI the QR code encodes. Moodle's factor_totp uses the
RFC 6238 defaults (SHA-1, 6 digits, 30 s), which pyotp also uses; a URI may say otherwise.
"""
from __future__ import annotations

import binascii
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import pyotp

from provisioner.errors import PlaybookError
from provisioner.secrets import Secret


class Totp:
    def __init__(self, secret: Secret, origin: str):
        """`origin` names where the secret came from, for messages; the secret itself is never shown."""
        text = secret.reveal().strip()
        try:
            otp = _from_uri(text) if text.lower().startswith("otpauth://") else _MoodleTotp(_base32(text))
            otp.now()  # decodes the base32 secret: a typo fails here, before any browser starts
        except (ValueError, TypeError, KeyError, binascii.Error):
            raise PlaybookError(f"{origin}: not a TOTP secret (expected the base32 text shown when the "
                                "authenticator app was set up, or an otpauth:// URI)") from None
        Secret(otp.secret)  # the normalised form is registered too: redact() scrubs either spelling
        self._otp = otp
        self.origin = origin

    def __repr__(self) -> str:
        return f"Totp({self.origin!r})"

    def code(self, at: float | None = None) -> str:
        return self._otp.at(time.time() if at is None else at)

    def seconds_to_next_code(self, at: float | None = None) -> float:
        now = time.time() if at is None else at
        return self._otp.interval - (now % self._otp.interval)


class _MoodleTotp(pyotp.TOTP):
    # Moodle's factor_totp makes 16-character (80-bit) secrets; pyotp refuses below 112 bits by default
    # and documents this attribute as the way to accept what a given server issues.
    min_secret_length_bits = 80


def _base32(text: str) -> str:
    return "".join(text.split()).upper()  # authenticator apps show the secret in groups of four


def _from_uri(uri: str) -> pyotp.TOTP:
    """otpauth://totp/LABEL?secret=...&digits=6&period=30&algorithm=SHA1 (Key URI Format)."""
    parts = urlsplit(uri)
    if parts.netloc.lower() != "totp":
        raise ValueError("not a time-based (totp) URI")
    query = {key.lower(): values[0] for key, values in parse_qs(parts.query).items()}
    digest = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}[
        query.get("algorithm", "SHA1").upper()]
    return _MoodleTotp(_base32(query["secret"]), digits=int(query.get("digits", 6)), digest=digest,
                       interval=int(query.get("period", 30)))
