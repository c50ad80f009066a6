"""A data key in use: AES-GCM for the stored fields, HMAC-SHA-256 for looking them up without decrypting.

Two sub-keys are derived from the 32-byte data key with HKDF, one to encrypt and one to hash, so a keyed hash
never reveals anything about the ciphertext. A stored value is `version (1) | generation (2) | nonce (12) |
ciphertext+tag`; the generation names the data key it was written under (a key rotation bumps it). The field's
name is the associated data, so a ciphertext copied into another column does not decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from reception_desk.errors import AuthenticationError

FORMAT = 1
KEY_BYTES = 32
NONCE_BYTES = 12
_HEADER = struct.Struct(">BH")


class DataLockedError(AuthenticationError):
    """The database's personal data is encrypted and this process holds no key for it (no login yet)."""


class DamagedValueError(ValueError):
    """A stored value does not decrypt under the data key (tampered, or written under another key)."""


def _derive(data_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"reception-desk " + purpose).derive(data_key)


def new_data_key() -> bytes:
    """A fresh random data key."""
    return os.urandom(KEY_BYTES)


class Vault:
    """Encrypts, decrypts and hashes personal fields under one data key (and its generation number)."""

    def __init__(self, data_key: bytes, generation: int = 1) -> None:
        if len(data_key) != KEY_BYTES:
            raise ValueError("a data key is 32 bytes")
        self.data_key = data_key
        self.generation = generation
        self._aead = AESGCM(_derive(data_key, b"field encryption"))
        self._mac = _derive(data_key, b"lookup hash")

    def __repr__(self) -> str:
        return f"Vault(generation={self.generation})"

    def encrypt(self, value: str, purpose: str) -> bytes:
        """The stored form of `value` for the field `purpose` (e.g. "visitor.id_number")."""
        nonce = os.urandom(NONCE_BYTES)
        header = _HEADER.pack(FORMAT, self.generation)
        sealed = self._aead.encrypt(nonce, value.encode("utf-8"), header + purpose.encode())
        return header + nonce + sealed

    def decrypt(self, blob: bytes, purpose: str) -> str:
        """The value a stored form holds; DamagedValueError when it was not written by this key for this field."""
        blob = bytes(blob)
        if len(blob) < _HEADER.size + NONCE_BYTES + 16:
            raise DamagedValueError("stored value too short")
        version, generation = _HEADER.unpack_from(blob)
        if version != FORMAT or generation != self.generation:
            raise DamagedValueError(f"stored value written under key generation {generation}")
        nonce = blob[_HEADER.size : _HEADER.size + NONCE_BYTES]
        try:
            plain = self._aead.decrypt(
                nonce, blob[_HEADER.size + NONCE_BYTES :], blob[: _HEADER.size] + purpose.encode()
            )
        except InvalidTag as exc:
            raise DamagedValueError("stored value does not decrypt") from exc
        return plain.decode("utf-8")

    def digest(self, kind: str, value: str) -> str:
        """The keyed hash that finds `value` without decrypting (hex, 64 characters)."""
        return hmac.new(self._mac, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def generation_of(blob: bytes) -> int:
    """The key generation a stored value was written under."""
    return int(_HEADER.unpack_from(bytes(blob))[1])
