"""The encrypted backup file (.rdbk): a whole SQLite copy of the database, encrypted so it is safe to carry.

Layout::

    b"RDBK1\\n" | header length (4 bytes, big-endian) | header (JSON, UTF-8) | chunk | chunk | ...
    chunk = ciphertext length (4) | final flag (1) | nonce (12) | AES-GCM ciphertext+tag of up to 1 MiB

The body is encrypted under a random 32-byte file key. The header says how the file key is kept:

* mode "data-key": wrapped under a key derived (HKDF) from the database's data key of the header's generation,
  and also sealed to every key holder's public key (as the data key itself is in `key_holder`), so a user of the
  database opens it with his password even after the data key was rotated, on a laptop that has nothing else;
* mode "passphrase": wrapped under a key derived from a passphrase with argon2id (salt and parameters in the
  header), for a backup taken off site.

Every chunk's associated data is the SHA-256 of the header bytes, the chunk's index and its final flag, so a
changed header, a chunk reordered, dropped or cut short, or a missing end is detected; the SHA-256 of the whole
plaintext (in the header) is checked once more at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from reception_desk.errors import UnusableInputError
from reception_desk.privacy import wrapping
from reception_desk.privacy.vault import Vault

MAGIC = b"RDBK1\n"
SQLITE_MAGIC = b"SQLite format 3\x00"
FORMAT = 1
CHUNK_SIZE = 1 << 20
DATA_KEY = "data-key"
PASSPHRASE = "passphrase"
MIN_PASSPHRASE = 8
_LEN = struct.Struct(">I")
_FRAME = struct.Struct(">IB")
_AAD = struct.Struct(">QB")
_NONCE = 12
_MAX_HEADER = 1 << 20


class BackupFileError(UnusableInputError):
    """The file is not an encrypted backup, or is damaged or cut short: nothing was replaced."""


class WrongPassphraseError(BackupFileError):
    """The passphrase does not open the backup."""


def damaged(path: Path) -> BackupFileError:
    """The one error for a file whose content does not check out."""
    return BackupFileError(f"备份文件 {path} 已损坏或不完整（校验失败），未做任何修改。")


def new_file_key() -> bytes:
    """A fresh random key for one backup file."""
    return os.urandom(32)


def _hkdf(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


def _wrap(kek: bytes, file_key: bytes, aad: bytes) -> str:
    nonce = os.urandom(_NONCE)
    return (nonce + AESGCM(kek).encrypt(nonce, file_key, aad)).hex()


def _unwrap(kek: bytes, wrapped_hex: str, aad: bytes) -> bytes:
    blob = bytes.fromhex(wrapped_hex)
    return AESGCM(kek).decrypt(blob[:_NONCE], blob[_NONCE:], aad)


def _data_key_kek(vault: Vault, database_id: str) -> bytes:
    return _hkdf(vault.data_key, b"reception-desk backup " + database_id.encode())


def lock_with_data_key(
    file_key: bytes, vault: Vault, database_id: str, holders: list[dict[str, Any]]
) -> dict[str, Any]:
    """Header fields of mode "data-key": the file key under the data key, and sealed to each key holder.

    `holders`: the key_holder rows (holder, public_key, private_wrapped, kdf).
    """
    sealed = []
    for h in holders:
        entry: dict[str, Any] = {
            "holder": h["holder"],
            "sealed": wrapping.seal(file_key, bytes(h["public_key"])).hex(),
        }
        if h.get("private_wrapped") is not None:  # a user: his private key opens with his password
            entry["private_wrapped"] = bytes(h["private_wrapped"]).hex()
            entry["kdf"] = dict(h["kdf"])
        sealed.append(entry)
    return {
        "mode": DATA_KEY,
        "database_id": database_id,
        "generation": vault.generation,
        "wrapped_key": _wrap(_data_key_kek(vault, database_id), file_key, b"rdbk data-key"),
        "holders": sealed,
    }


def lock_with_passphrase(file_key: bytes, passphrase: str) -> dict[str, Any]:
    """Header fields of mode "passphrase": the file key under an argon2id key of the passphrase."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupFileError(f"备份口令太短：至少 {MIN_PASSPHRASE} 个字符。")
    salt = os.urandom(16)
    params: dict[str, Any] = {"kdf": "argon2id", **wrapping.KDF_PARAMS, "salt": salt.hex()}
    kek = wrapping.password_key(passphrase, salt, params)
    return {"mode": PASSPHRASE, "kdf": params, "wrapped_key": _wrap(kek, file_key, b"rdbk passphrase")}


def open_with_passphrase(header: dict[str, Any], passphrase: str) -> bytes:
    """The file key a passphrase opens; WrongPassphraseError otherwise."""
    params = dict(header["kdf"])
    kek = wrapping.password_key(passphrase, bytes.fromhex(str(params["salt"])), params)
    try:
        return _unwrap(kek, str(header["wrapped_key"]), b"rdbk passphrase")
    except (InvalidTag, ValueError) as exc:
        raise WrongPassphraseError("备份口令不正确，未做任何修改。") from exc


def open_with_vault(header: dict[str, Any], vault: Vault) -> bytes | None:
    """The file key through the data key this process holds (None: another key or generation)."""
    if vault.generation != int(header.get("generation", 0)):
        return None
    try:
        return _unwrap(_data_key_kek(vault, str(header["database_id"])), str(header["wrapped_key"]), b"rdbk data-key")
    except (InvalidTag, ValueError):
        return None


def open_with_private(header: dict[str, Any], holder: str, private: bytes) -> bytes | None:
    """The file key through a key holder's private key (None when it is not his box)."""
    for entry in header.get("holders", []):
        if entry.get("holder") == holder:
            try:
                return wrapping.open_sealed(bytes.fromhex(entry["sealed"]), private)
            except (wrapping.WrongKeyError, ValueError):
                return None
    return None


def open_with_password(header: dict[str, Any], user_holder: str, password: str) -> bytes | None:
    """The file key through a user's password (his private key travels wrapped in the header); None: no such
    holder. WrongKeyError for a wrong password."""
    for entry in header.get("holders", []):
        if entry.get("holder") == user_holder and "private_wrapped" in entry:
            private = wrapping.unwrap_private(bytes.fromhex(entry["private_wrapped"]), dict(entry["kdf"]), password)
            return open_with_private(header, user_holder, private)
    return None


def seal_extra(file_key: bytes, secret: bytes, purpose: str) -> str:
    """A secret (the data key of a database without users) carried under the file key."""
    return _wrap(_hkdf(file_key, b"rdbk extra"), secret, purpose.encode())


def open_extra(file_key: bytes, wrapped_hex: str, purpose: str) -> bytes:
    """What seal_extra carried."""
    return _unwrap(_hkdf(file_key, b"rdbk extra"), wrapped_hex, purpose.encode())


def _body_key(file_key: bytes) -> AESGCM:
    return AESGCM(_hkdf(file_key, b"rdbk body"))


def _sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while block := fh.read(CHUNK_SIZE):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _create_private(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if os.name == "posix":
        os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def write(plain: Path, target: Path, file_key: bytes, lock: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    """Encrypt the file `plain` into `target` (created 0600). Returns the header written.

    `lock`: lock_with_data_key or lock_with_passphrase; `info`: what else the header says (revision, ...).
    """
    sha, size = _sha256(plain)
    header: dict[str, Any] = {
        "format": FORMAT,
        **info,
        **lock,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "plaintext_sha256": sha,
        "plaintext_size": size,
        "chunk_size": CHUNK_SIZE,
    }
    header_bytes = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    bound = hashlib.sha256(header_bytes).digest()
    aead = _body_key(file_key)
    with plain.open("rb") as src, _create_private(target) as out:
        out.write(MAGIC + _LEN.pack(len(header_bytes)) + header_bytes)
        index = 0
        block = src.read(CHUNK_SIZE)
        while True:
            following = src.read(CHUNK_SIZE) if block else b""
            final = 1 if not following else 0
            nonce = os.urandom(_NONCE)
            sealed = aead.encrypt(nonce, block, bound + _AAD.pack(index, final))
            out.write(_FRAME.pack(len(sealed), final) + nonce + sealed)
            if final:
                break
            block, index = following, index + 1
        out.flush()
        os.fsync(out.fileno())
    return header


@dataclass(frozen=True)
class Envelope:
    """A backup file's header, as read (not yet decrypted)."""

    path: Path
    header: dict[str, Any]
    header_bytes: bytes
    body_offset: int

    @property
    def mode(self) -> str:
        """ "data-key" or "passphrase"."""
        return str(self.header.get("mode"))


def kind(path: Path) -> str:
    """ "rdbk" for an encrypted backup, "sqlite" for a plain one; BackupFileError for anything else."""
    try:
        with path.open("rb") as fh:
            start = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupFileError(f"无法读取备份文件 {path}：{exc.strerror or exc}。未做任何修改。") from exc
    if start.startswith(MAGIC):
        return "rdbk"
    if start == SQLITE_MAGIC:
        return "sqlite"
    raise BackupFileError(f"文件 {path} 不是接访台的备份（或已损坏），未做任何修改。")


def read_envelope(path: Path) -> Envelope:
    """The header of an encrypted backup; BackupFileError when the file is not one or is cut short."""
    if kind(path) != "rdbk":
        raise BackupFileError(f"文件 {path} 不是加密备份。")
    with path.open("rb") as fh:
        fh.seek(len(MAGIC))
        raw_len = fh.read(_LEN.size)
        if len(raw_len) != _LEN.size:
            raise damaged(path)
        (length,) = _LEN.unpack(raw_len)
        if length > _MAX_HEADER:
            raise damaged(path)
        header_bytes = fh.read(length)
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise damaged(path) from exc
    if (
        not isinstance(header, dict)
        or header.get("format") != FORMAT
        or header.get("mode")
        not in (
            DATA_KEY,
            PASSPHRASE,
        )
    ):
        raise damaged(path)
    return Envelope(path, header, header_bytes, len(MAGIC) + _LEN.size + length)


def _frames(fh: BinaryIO, path: Path) -> Iterator[tuple[int, bytes, bytes]]:
    while True:
        frame = fh.read(_FRAME.size)
        if not frame:
            return
        if len(frame) != _FRAME.size:
            raise damaged(path)
        length, final = _FRAME.unpack(frame)
        if final not in (0, 1) or length > CHUNK_SIZE + 16:
            raise damaged(path)
        nonce = fh.read(_NONCE)
        sealed = fh.read(length)
        if len(nonce) != _NONCE or len(sealed) != length:
            raise damaged(path)
        yield final, nonce, sealed


def decrypt(envelope: Envelope, file_key: bytes, out: Path) -> None:
    """Decrypt the body into `out` (0600), checking every chunk, the end and the SHA-256; BackupFileError for
    any damage (then `out` is removed)."""
    path = envelope.path
    bound = hashlib.sha256(envelope.header_bytes).digest()
    aead = _body_key(file_key)
    digest, size, finished = hashlib.sha256(), 0, False
    try:
        with path.open("rb") as fh, _create_private(out) as dst:
            fh.seek(envelope.body_offset)
            for index, (final, nonce, sealed) in enumerate(_frames(fh, path)):
                if finished:
                    raise damaged(path)  # something after the final chunk
                try:
                    block = aead.decrypt(nonce, sealed, bound + _AAD.pack(index, final))
                except InvalidTag as exc:
                    raise damaged(path) from exc
                digest.update(block)
                size += len(block)
                dst.write(block)
                finished = bool(final)
        if not finished:
            raise damaged(path)  # cut short: the final chunk never came
        if digest.hexdigest() != envelope.header.get("plaintext_sha256") or size != envelope.header.get(
            "plaintext_size"
        ):
            raise damaged(path)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
