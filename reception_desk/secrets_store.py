"""The PostgreSQL password kept out of the laptop's settings: in the system keyring, or only in memory.

The settings (QSettings) keep the database URL without its password. The password goes to the system keyring
(Windows Credential Manager, macOS Keychain, the Secret Service on Linux) through the `keyring` package, under
service "reception-desk" and account "<user>@<host>:<port>/<database>". A laptop without a usable keyring (a bare
Linux, keyring's fail or null backend) stores it nowhere: it is asked at start and held in this process only.
An older URL saved with its password is split on the next start (migrate). No Qt here; URLs are parsed with
urllib, so the window's first paint needs neither SQLAlchemy nor keyring.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

SERVICE = "reception-desk"
DEFAULT_PORT = 5432

log = logging.getLogger(__name__)
_memory: dict[str, str] = {}  # account -> password typed at start or saved without a keyring: this process only


def is_server_url(url: str) -> bool:
    """True for a PostgreSQL URL (the only kind with a password)."""
    return urlsplit(url).scheme.split("+")[0] in {"postgresql", "postgres"}


def split_password(url: str) -> tuple[str, str | None]:
    """The URL without its password, and the password (decoded; None when the URL has none)."""
    if not is_server_url(url):
        return url, None
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url, None
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=f"{user}@{hostport}")), unquote(password)


def with_password(url: str, password: str | None) -> str:
    """The URL (without a password) with `password` put in; unchanged when there is no password or no user."""
    if not password or not is_server_url(url):
        return url
    clean, _ = split_password(url)
    parts = urlsplit(clean)
    user, at, hostport = parts.netloc.rpartition("@")
    if not at or not user:
        return url
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{hostport}"))


def account(url: str) -> str:
    """The keyring account of a server URL: "<user>@<host>:<port>/<database>"."""
    parts = urlsplit(url)
    return (
        f"{unquote(parts.username or '')}@{(parts.hostname or 'localhost').lower()}:{parts.port or DEFAULT_PORT}"
        f"/{unquote(parts.path.lstrip('/'))}"
    )


def _backend() -> Any | None:
    """The keyring backend in use, or None when keyring has nowhere to keep a secret."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception:  # an import or a backend's initialisation failing: no keyring
        log.warning("the system keyring could not be loaded", exc_info=True)
        return None
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


def keyring_usable() -> bool:
    """True when the system keyring can keep a password on this laptop."""
    return _backend() is not None


def _from_keyring(name: str) -> str | None:
    backend = _backend()
    if backend is None:
        return None
    try:
        found = backend.get_password(SERVICE, name)
    except Exception:  # locked, or the keyring service went away: as if nothing were stored
        log.warning("reading the system keyring failed", exc_info=True)
        return None
    return found if isinstance(found, str) else None


def password_for(url: str) -> str | None:
    """The password of a server URL: held in this process, else from the keyring; None when nowhere."""
    name = account(url)
    return _memory.get(name) or _from_keyring(name)


def remember(url: str, password: str) -> None:
    """Hold the password of a server URL in this process only (typed at start)."""
    if password:
        _memory[account(url)] = password


def clear_memory() -> None:
    """Drop every password held in this process (the keyring keeps its own)."""
    _memory.clear()


def forget(url: str) -> None:
    """Remove the password of a server URL from this process and the keyring."""
    name = account(url)
    _memory.pop(name, None)
    backend = _backend()
    if backend is not None:
        with suppress(Exception):  # not there (PasswordDeleteError) or the keyring went away: nothing to remove
            backend.delete_password(SERVICE, name)


def store(url: str) -> tuple[str, bool]:
    """Put the URL's password in the keyring (and this process); returns the URL for the settings, without it,
    and whether the keyring kept it (False: held in memory only, asked again at the next start)."""
    clean, password = split_password(url)
    if password is None:
        return clean, False
    remember(clean, password)
    backend = _backend()
    if backend is None:
        return clean, False
    try:
        backend.set_password(SERVICE, account(clean), password)
    except Exception:  # locked or refused: the settings still never hold it
        log.warning("the system keyring refused the password", exc_info=True)
        return clean, False
    return clean, True


@dataclass(frozen=True, slots=True)
class SavedDatabase:
    """A database URL as read from the settings: what the settings should hold, and what to open."""

    settings_url: str  # without a password: write it back when it differs from what the settings held
    url: str  # with the password, when one is known
    needs_password: bool  # a server URL with a user and no password known: ask for it


def from_settings(stored: str) -> SavedDatabase:
    """The saved database URL, its password moved out of the settings (to the keyring, or memory) and put back
    for opening."""
    clean, password = split_password(stored)
    if password is not None:
        store(stored)  # an older setting with the password in clear: moved out on this start
    if not is_server_url(clean):
        return SavedDatabase(clean, clean, False)
    known = password_for(clean)
    has_user = bool(urlsplit(clean).username)
    return SavedDatabase(clean, with_password(clean, known), has_user and not known)
