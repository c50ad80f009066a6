"""The PostgreSQL password is never in the Qt settings: with a keyring it is kept there and the app reconnects with
it; without one (keyring's fail backend, as on a bare Linux) it is stored nowhere and asked at start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
import sqlalchemy as sa
from keyring.backend import KeyringBackend
from keyring.backends import fail
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from reception_desk import secrets_store
from reception_desk.db.engine import Database
from reception_desk.ui.app import DB_KEY
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.database_password import DatabasePasswordDialog, saved_database_url
from tests.conftest import PG_URL, PgSchema

SECRET = "s3cr:et/pw@1"  # characters a URL must encode
SERVER = "postgresql://jfj:s3cr%3Aet%2Fpw%401@db.example:5433/jiefang"
CLEAN = "postgresql://jfj@db.example:5433/jiefang"
ACCOUNT = "jfj@db.example:5433/jiefang"


class DictKeyring(KeyringBackend):
    """A real keyring backend that keeps its secrets in a dict (a test's system keyring)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """The stored secret, or None."""
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a secret."""
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Remove a secret."""
        self.secrets.pop((service, username), None)


@pytest.fixture
def with_keyring() -> Iterator[DictKeyring]:
    """The system keyring is a DictKeyring for the test; this process holds no password."""
    before = keyring.get_keyring()
    backend = DictKeyring()
    keyring.set_keyring(backend)
    secrets_store.clear_memory()
    try:
        yield backend
    finally:
        keyring.set_keyring(before)
        secrets_store.clear_memory()


@pytest.fixture
def without_keyring() -> Iterator[None]:
    """No usable keyring (keyring's fail backend, what a bare Linux or CI has)."""
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    secrets_store.clear_memory()
    try:
        yield
    finally:
        keyring.set_keyring(before)
        secrets_store.clear_memory()


def _settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "laptop.ini"), QSettings.Format.IniFormat)


def _settings_text(tmp_path: Path) -> str:
    return (tmp_path / "laptop.ini").read_text(encoding="utf-8")


def test_urls_split_and_join() -> None:
    assert secrets_store.split_password(SERVER) == (CLEAN, SECRET)
    assert secrets_store.with_password(CLEAN, SECRET) == SERVER
    assert secrets_store.account(SERVER) == ACCOUNT
    assert secrets_store.account("postgresql+psycopg://u@HOST/db") == "u@host:5432/db"
    assert secrets_store.split_password("sqlite:////tmp/a:b@c.sqlite3") == ("sqlite:////tmp/a:b@c.sqlite3", None)
    assert secrets_store.split_password(CLEAN) == (CLEAN, None)
    assert secrets_store.with_password(CLEAN, None) == CLEAN


def test_an_old_setting_moves_its_password_to_the_keyring_and_reconnects(
    tmp_path: Path, with_keyring: DictKeyring, pg_schema: PgSchema
) -> None:
    user = sa.make_url(PG_URL).username or "postgres"
    old_url = sa.make_url(PG_URL).set(password=SECRET).render_as_string(hide_password=False)
    old_url += f"?options=-csearch_path%3D{pg_schema.name}"
    settings = _settings(tmp_path)
    settings.setValue(DB_KEY, old_url)
    settings.sync()
    assert "s3cr" in _settings_text(tmp_path)

    url = saved_database_url(settings, DB_KEY, may_ask=False)  # the first start after the upgrade
    assert url is not None
    assert "s3cr" not in _settings_text(tmp_path)
    assert settings.value(DB_KEY) == secrets_store.split_password(old_url)[0]
    host = sa.make_url(PG_URL)
    assert with_keyring.secrets == {
        ("reception-desk", f"{user}@{host.host}:{host.port or 5432}/{host.database}"): SECRET
    }

    secrets_store.clear_memory()  # the next start: only the settings and the keyring
    again = saved_database_url(_settings(tmp_path), DB_KEY, may_ask=False)
    assert again is not None and sa.make_url(again).password == SECRET
    db = Database(again)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_schema()")).scalar() == pg_schema.name
    finally:
        db.dispose()


def test_without_a_keyring_nothing_is_stored(tmp_path: Path, without_keyring: None) -> None:
    assert not secrets_store.keyring_usable()
    settings = _settings(tmp_path)
    settings.setValue(DB_KEY, SERVER)
    url = saved_database_url(settings, DB_KEY, may_ask=False)
    assert url == SERVER  # this run still opens it: held in memory
    assert "s3cr" not in _settings_text(tmp_path) and settings.value(DB_KEY) == CLEAN
    with pytest.raises(keyring.errors.NoKeyringError):
        keyring.set_password("probe", "probe", "x")  # the fail backend keeps nothing anywhere

    secrets_store.clear_memory()  # the next start: the password is nowhere, so it must be asked
    saved = secrets_store.from_settings(CLEAN)
    assert saved.needs_password and saved.url == CLEAN
    assert saved_database_url(settings, DB_KEY, may_ask=False) == CLEAN  # no person: libpq may use ~/.pgpass


def test_the_password_is_asked_at_start_and_kept_in_memory_only(
    qtbot: Any, tmp_path: Path, without_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    settings = _settings(tmp_path)
    settings.setValue(DB_KEY, CLEAN)
    seen: list[str] = []

    def type_it() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, DatabasePasswordDialog)
        seen.append(dialog.password_edit.objectName())
        dialog.password_edit.setText(SECRET)
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)

    QTimer.singleShot(0, type_it)
    url = saved_database_url(settings, DB_KEY, may_ask=True)
    assert seen == ["databasePassword"]
    assert url == SERVER
    assert secrets_store.password_for(CLEAN) == SECRET  # this process holds it
    settings.sync()
    assert "s3cr" not in _settings_text(tmp_path)

    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())  # type: ignore[union-attr]
    secrets_store.clear_memory()
    assert saved_database_url(settings, DB_KEY, may_ask=True) is None  # 退出: the app does not start


def _save(qtbot: Any, app_ctx: AppContext, url: str) -> Any:
    from reception_desk.ui.pages.settings_page import SettingsPage

    page = SettingsPage(app_ctx)
    qtbot.addWidget(page)
    page.pg_radio.setChecked(True)
    page.pg_edit.setText(url)
    qtbot.mouseClick(page.save_db_button, Qt.MouseButton.LeftButton)
    return page


def test_the_settings_tab_saves_the_password_in_the_keyring(
    qtbot: Any, app_ctx: AppContext, tmp_path: Path, with_keyring: DictKeyring
) -> None:
    page = _save(qtbot, app_ctx, SERVER)
    assert app_ctx.settings.value(DB_KEY) == CLEAN
    app_ctx.settings.sync()
    assert "s3cr" not in _settings_text_of(app_ctx)
    assert with_keyring.secrets == {("reception-desk", ACCOUNT): SECRET}
    assert page.probe_result.property("state") == "ok" and "下次启动" in page.probe_result.text()

    secrets_store.clear_memory()  # another start: the tab finds the password in the keyring
    again = _save(qtbot, app_ctx, "")
    again.pg_edit.setText(again._hidden(SERVER))
    assert again.chosen_url() == SERVER


def test_the_settings_tab_without_a_keyring_says_it_will_ask(
    qtbot: Any, app_ctx: AppContext, without_keyring: None
) -> None:
    page = _save(qtbot, app_ctx, SERVER)
    assert app_ctx.settings.value(DB_KEY) == CLEAN
    app_ctx.settings.sync()
    assert "s3cr" not in _settings_text_of(app_ctx)
    assert page.probe_result.property("state") == "warn" and "下次启动时将询问密码" in page.probe_result.text()


def _settings_text_of(app_ctx: AppContext) -> str:
    return Path(app_ctx.settings.fileName()).read_text(encoding="utf-8")


SCRIPT = """
import json, sys
from pathlib import Path
import keyring
from keyring.backend import KeyringBackend
from PySide6.QtCore import QCoreApplication, QSettings
from reception_desk.ui.app import APP, DB_KEY, ORG, run_gui

store = Path(sys.argv[1])

class FileKeyring(KeyringBackend):
    priority = 1
    def _all(self):
        return json.loads(store.read_text()) if store.exists() else {}
    def get_password(self, service, username):
        return self._all().get(f"{service}|{username}")
    def set_password(self, service, username, password):
        store.write_text(json.dumps({**self._all(), f"{service}|{username}": password}))
    def delete_password(self, service, username):
        pass

keyring.set_keyring(FileKeyring())
if len(sys.argv) > 2:
    QCoreApplication.setOrganizationName(ORG)
    QCoreApplication.setApplicationName(APP)
    QSettings().setValue(DB_KEY, sys.argv[2])
    QSettings().sync()
opened = []
code = run_gui(None, "zh", "t", True, on_ready=lambda w: opened.append(w.ctx.db.engine.url.password))
print(json.dumps({"code": code, "password": opened[0] if opened else None, "saved": QSettings().value(DB_KEY)}))
"""


def test_the_app_moves_the_password_out_and_reconnects_with_it(tmp_path: Path, pg_schema: PgSchema) -> None:
    """Two starts of the real window: the first finds an old setting with the password, the second reads it back
    from the keyring alone."""
    old_url = sa.make_url(PG_URL).set(password=SECRET).render_as_string(hide_password=False)
    old_url += f"?options=-csearch_path%3D{pg_schema.name}"
    store = tmp_path / "keyring.json"
    env = {k: v for k, v in os.environ.items() if k not in {"RECEPTION_DESK_DB", "PGPASSWORD"}}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    runs = []
    for extra in ([old_url], []):
        proc = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(store), *extra], env=env, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    clean = secrets_store.split_password(old_url)[0]
    for run in runs:
        assert run == {"code": 0, "password": SECRET, "saved": clean}
    settings_files = list((tmp_path / "config").rglob("*.conf")) + list((tmp_path / "config").rglob("*.ini"))
    assert settings_files and all("s3cr" not in f.read_text(encoding="utf-8") for f in settings_files)
    assert list(json.loads(store.read_text()).values()) == [SECRET]
