"""How the data key is kept in the database without revealing it: sealed to each key holder's public key.

Every user (and, for a database without users, the laptop itself) is a key holder with an X25519 key pair. The
data key is stored sealed to each holder's public key (an ephemeral X25519 exchange, HKDF, AES-GCM), so an admin can
grant the key to a new user, or rotate it, without knowing anyone's password. A user's private key is stored wrapped
with a key derived from the user's password by argon2id; a laptop's private key lives in a key file of its own. A
copied database file alone therefore opens nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# argon2id, RFC 9106's second recommended option scaled to a login on an office laptop (~0.1 s)
KDF_PARAMS: dict[str, int] = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
_RAW = serialization.Encoding.Raw


class WrongKeyError(ValueError):
    """A password or key file that does not open this wrapping."""


@dataclass(frozen=True)
class KeyPair:
    """A holder's X25519 key pair, as raw 32-byte keys."""

    private: bytes
    public: bytes


def new_key_pair() -> KeyPair:
    """A fresh key pair for a holder."""
    key = X25519PrivateKey.generate()
    private = key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return KeyPair(private, key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw))


def public_of(private: bytes) -> bytes:
    """The public key of a private key."""
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)


def _shared(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def seal(data_key: bytes, public: bytes) -> bytes:
    """The data key sealed to a public key: ephemeral public key (32) | nonce (12) | ciphertext."""
    ephemeral = X25519PrivateKey.generate()
    eph_public = ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    key = _shared(ephemeral.exchange(X25519PublicKey.from_public_bytes(public)), b"reception-desk seal" + public)
    nonce = os.urandom(12)
    return eph_public + nonce + AESGCM(key).encrypt(nonce, data_key, eph_public)


def open_sealed(sealed: bytes, private: bytes) -> bytes:
    """The data key a sealed box holds; WrongKeyError for another holder's box or a damaged one."""
    sealed = bytes(sealed)
    eph_public, nonce, body = sealed[:32], sealed[32:44], sealed[44:]
    me = X25519PrivateKey.from_private_bytes(private)
    key = _shared(
        me.exchange(X25519PublicKey.from_public_bytes(eph_public)), b"reception-desk seal" + public_of(private)
    )
    try:
        return AESGCM(key).decrypt(nonce, body, eph_public)
    except InvalidTag as exc:
        raise WrongKeyError("sealed key does not open with this private key") from exc


def password_key(password: str, salt: bytes, params: dict[str, Any]) -> bytes:
    """The key derived from a password (argon2id)."""
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=int(params["time_cost"]),
        memory_cost=int(params["memory_cost"]),
        parallelism=int(params["parallelism"]),
        hash_len=32,
        type=Type.ID,
    )


def wrap_private(private: bytes, password: str) -> tuple[bytes, dict[str, Any]]:
    """A private key wrapped under a password: (nonce | ciphertext, the KDF's parameters with its salt)."""
    salt = os.urandom(16)
    params: dict[str, Any] = {"kdf": "argon2id", **KDF_PARAMS, "salt": salt.hex()}
    nonce = os.urandom(12)
    return nonce + AESGCM(password_key(password, salt, params)).encrypt(nonce, private, b"private key"), params


def unwrap_private(wrapped: bytes, params: dict[str, Any], password: str) -> bytes:
    """The private key a password opens; WrongKeyError for a wrong password."""
    wrapped = bytes(wrapped)
    key = password_key(password, bytes.fromhex(str(params["salt"])), params)
    try:
        return AESGCM(key).decrypt(wrapped[:12], wrapped[12:], b"private key")
    except InvalidTag as exc:
        raise WrongKeyError("password does not open this key") from exc
