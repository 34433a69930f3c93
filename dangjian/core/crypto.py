"""Field-level encryption of ID numbers (SM4) and a blind index for exact-match lookup.

Why SM4: GB/T 39786-2021 (信息系统密码应用基本要求) expects personal information to be stored
with commercial cryptography (商用密码); SM4 is the national block cipher (GB/T 32907-2016).
It is used in GCM mode as specified for TLS in RFC 8998, so every value is authenticated and
tampering is detected without a separate MAC.

Keys: one master string, settings.DANGJIAN_FIELD_KEY, from which HKDF-SHA256 (RFC 5869) derives
a 16-byte SM4 key (info b"sm4-enc") and a 32-byte HMAC key (info b"blind-index"), so the
encryption key and the index key never coincide. Changing the master key makes old ciphertexts
unreadable and old blind indexes stale: re-encrypt and re-index in the same migration.

Token format: "v1:" + urlsafe base64 (with padding) of nonce(12) || ciphertext || tag(16).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import unicodedata
from functools import lru_cache

import django.conf as _django_conf
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["blind_index", "blind_indexes", "decrypt_text", "encrypt_text", "encrypt_texts", "normalize_for_index"]

_PREFIX = "v1:"
_NONCE_LEN = 12  # 96-bit nonce, the GCM default (NIST SP 800-38D §5.2.1.1)
_TAG_LEN = 16
# Bound into the tag so a token cannot be replayed as a different format version.
_AAD = b"dangjian-field:v1"
_B64_RE = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def _master_key(key: str | None) -> str:
    if key is None:
        # Read at call time (settings may be configured after this import, tests and the key rotation
        # override them), through the module object: a function-level import costs ~1 µs per ID number.
        key = getattr(_django_conf.settings, "DANGJIAN_FIELD_KEY", "")
        if not key:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured("DANGJIAN_FIELD_KEY is not set")
    if not isinstance(key, str) or not key:
        raise ValueError("key must be a non-empty string")
    return key


@lru_cache(maxsize=8)
def _subkeys(master: str) -> tuple[bytes, bytes]:
    """(16-byte SM4 key, 32-byte blind-index key), HKDF-SHA256 with distinct `info` labels."""
    material = master.encode("utf-8")
    enc = HKDF(algorithm=hashes.SHA256(), length=16, salt=None, info=b"sm4-enc").derive(material)
    idx = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"blind-index").derive(
        material
    )
    return enc, idx


def encrypt_text(plain: str, *, key: str | None = None) -> str:
    """SM4-GCM encrypt with a fresh random nonce, so equal inputs give different tokens.

    The empty string stays empty: "not filled in" is not a secret, and it keeps blank checks cheap.
    """
    if plain == "":
        return ""  # before the key lookup: blanks need no key
    return encrypt_texts([plain], key=key)[0]


def encrypt_texts(plains, *, key: str | None = None) -> list[str]:
    """encrypt_text of each value (each with its own nonce), the key looked up once: for bulk imports."""
    algorithm = _sm4(_master_key(key))
    out = []
    for plain in plains:
        if plain == "":
            out.append("")
            continue
        if not isinstance(plain, str):
            raise TypeError("plain must be a str")
        out.append(_encrypt(algorithm, plain))
    return out


def _encrypt(algorithm, plain: str) -> str:
    nonce = os.urandom(_NONCE_LEN)
    encryptor = Cipher(algorithm, modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(_AAD)
    body = encryptor.update(plain.encode("utf-8")) + encryptor.finalize()
    return _PREFIX + base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode("ascii")


@lru_cache(maxsize=8)
def _sm4(master: str):
    return algorithms.SM4(_subkeys(master)[0])


def decrypt_text(token: str, *, key: str | None = None) -> str:
    """Inverse of encrypt_text; raises ValueError if the token is malformed, tampered with, or was
    made with another key."""
    if token == "":
        return ""
    if not isinstance(token, str) or not token.startswith(_PREFIX):
        raise ValueError("not an encrypted value (missing v1: prefix)")
    encoded = token[len(_PREFIX):]
    # Strict alphabet: the lenient decoder would silently skip inserted characters.
    if _B64_RE.fullmatch(encoded) is None:
        raise ValueError("encrypted value is not valid base64")
    try:
        raw = base64.urlsafe_b64decode(encoded)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("encrypted value is not valid base64") from exc
    if len(raw) < _NONCE_LEN + _TAG_LEN:
        raise ValueError("encrypted value is truncated")
    nonce, body, tag = raw[:_NONCE_LEN], raw[_NONCE_LEN:-_TAG_LEN], raw[-_TAG_LEN:]
    enc_key, _ = _subkeys(_master_key(key))
    decryptor = Cipher(algorithms.SM4(enc_key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(_AAD)
    try:
        plain = decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise ValueError("encrypted value failed authentication (tampered or wrong key)") from exc
    return plain.decode("utf-8")


def normalize_for_index(value: str) -> str:
    """What the blind index hashes: NFKC (full-width -> half-width), no whitespace, upper case.

    So "11010519491231002x", "１１０１０５…２Ｘ" and " 110105 19491231002X " find the same row.
    """
    if value.__class__ is str and value.isascii() and value.isalnum():
        return value.upper()  # NFKC leaves ASCII as it is; no whitespace to drop (the usual ID number)
    return "".join(unicodedata.normalize("NFKC", value or "").split()).upper()


def blind_index(value: str, *, key: str | None = None) -> str:
    """Hex HMAC-SHA256 (64 chars) of the normalized value, for exact-match lookup and uniqueness.

    Returns "" for a blank value, so blank rows do not collide under a unique constraint
    (store NULL or skip the constraint for those).
    """
    if not normalize_for_index(value):
        return ""  # before the key lookup: blanks need no key
    return blind_indexes([value], key=key)[0]


def blind_indexes(values, *, key: str | None = None) -> list[str]:
    """blind_index of each value, the key looked up once (bulk imports: 100 000 ID numbers)."""
    _, idx_key = _subkeys(_master_key(key))
    digest = hmac.digest
    out = []
    for value in values:
        normalized = normalize_for_index(value)
        out.append(digest(idx_key, normalized.encode("utf-8"), "sha256").hex() if normalized else "")
    return out
