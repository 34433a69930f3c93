"""TOTP (RFC 6238, HMAC-SHA1, 6 digits, 30 s) for administrators' second factor, without a dependency.

`verify(secret, code, last_step=)` accepts the current step and one step either side (clock drift) and
returns the step it matched, so the caller stores it and a code is never accepted twice (replay).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

DIGITS, PERIOD, DRIFT = 6, 30, 1


def random_secret() -> str:
    """160 random bits in base32 (RFC 4226 §4 recommends ≥ 128, 160 is the HMAC-SHA1 block-friendly size)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    s = secret.strip().replace(" ", "").upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def hotp(secret: str, counter: int) -> str:
    """RFC 4226 §5.3: dynamic truncation of HMAC-SHA1(key, counter)."""
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** DIGITS).zfill(DIGITS)


def step_at(when: float | None = None) -> int:
    return int((time.time() if when is None else when) // PERIOD)


def totp(secret: str, when: float | None = None) -> str:
    return hotp(secret, step_at(when))


def verify(secret: str, code: str, *, last_step: int = 0, when: float | None = None) -> int | None:
    """The matched time step, or None (wrong, malformed, or already used: step ≤ last_step)."""
    code = "".join((code or "").split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(when)
    for step in range(now - DRIFT, now + DRIFT + 1):
        if step > last_step and hmac.compare_digest(hotp(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, username: str, issuer: str = "智慧党建") -> str:
    """otpauth:// URI for authenticator apps (Key Uri Format)."""
    label = quote(f"{issuer}:{username}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}&period={PERIOD}"
