"""`backup` (encrypted by default), `restore FILE`, and `keys list|rotate` (the data key; admin).

A backup is encrypted whole: under the database's data key (restorable by the database's users), or with
`--passphrase-env VAR` / `--passphrase` under a passphrase (a backup taken off site). `--plain` writes the old
SQLite copy (IDs and phones in it are ciphertext, names are not). A restore checks the file whole before it
replaces anything; a damaged, cut or wrongly opened file exits 2 with one line and nothing is replaced.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reception_desk.errors import InvalidInputError

if TYPE_CHECKING:
    from reception_desk.cli.main import Context

EXIT_OK = 0

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "passphrase": "备份口令：",
        "again": "再输入一次：",
        "mismatch": "两次输入的口令不一致，未备份。",
        "no_env": "环境变量 {var} 未设置或为空。",
        "need_passphrase": "请用 --passphrase-env 变量名 给出备份口令，或在终端中运行以输入口令。",
        "backup_encrypted": "已加密备份到 {file}（{how}，数据密钥第 {generation} 代）。",
        "data_key": "用本数据库的数据密钥加密，本数据库的用户可以恢复",
        "passphrase_mode": "用口令加密，恢复时需要此口令",
        "backup_plain": "已备份到 {file}（未加密的 SQLite 副本：身份证号和电话仍是密文，姓名等是明文，请妥善保管）。",
        "restored": "已从 {file} 恢复数据库 {target}（备份于 {created}，数据表版本 {rev}）。",
        "password_prompt": "用户 {name} 的密码（打开备份）：",
        "keys_cols": "持有人|密钥代数|加入时间",
        "keys_head": "数据库 {db_id}，数据密钥第 {generation} 代，{n} 个持有人：",
        "no_key": "本数据库还没有数据密钥（数据表版本早于 0008）。",
        "rotated": "已轮换数据密钥：第 {old} 代 → 第 {new} 代；重新加密 {visitors} 位来访人（身份证号 {ids} 个，"
        "电话 {phones} 个），密钥重新封装给 {holders} 个持有人。其他电脑需重新登录；此前用数据密钥加密的备份，"
        "仍可由备份时的用户用其密码恢复。",
    },
    "en": {
        "passphrase": "Backup passphrase: ",
        "again": "Again: ",
        "mismatch": "The two passphrases differ; nothing was backed up.",
        "no_env": "The environment variable {var} is not set or empty.",
        "need_passphrase": "Give the backup passphrase with --passphrase-env VAR, or run in a terminal to type it.",
        "backup_encrypted": "Encrypted backup written to {file} ({how}, data key generation {generation}).",
        "data_key": "under this database's data key: its users can restore it",
        "passphrase_mode": "under a passphrase: restoring needs it",
        "backup_plain": "Backed up to {file} (a plain SQLite copy: IDs and phones stay encrypted, names do not; "
        "keep it safe).",
        "restored": "Restored {target} from {file} (taken {created}, schema {rev}).",
        "password_prompt": "Password of {name} (to open the backup): ",
        "keys_cols": "Holder|Generation|Added",
        "keys_head": "Database {db_id}, data key generation {generation}, {n} holders:",
        "no_key": "This database has no data key yet (schema older than 0008).",
        "rotated": "Data key rotated: generation {old} → {new}; {visitors} visitors re-encrypted ({ids} IDs, "
        "{phones} phones), the key resealed to {holders} holders. Other laptops log in again; earlier data-key "
        "backups are still restored by their users' passwords.",
    },
}


def _t(lang: str, key: str, **values: object) -> str:
    return TEXT.get(lang, TEXT["zh"])[key].format(**values)


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def add_backup_arguments(backup: Any) -> None:
    """The options `backup` gains: --plain, --passphrase-env, --passphrase, --json."""
    group = backup.add_mutually_exclusive_group()
    group.add_argument("--plain", action="store_true", help="写未加密的 SQLite 副本（身份证号和电话仍是密文）")
    group.add_argument("--passphrase-env", metavar="VAR", help="用口令加密（口令取自此环境变量），用于带离本单位的备份")
    group.add_argument("--passphrase", action="store_true", help="用口令加密，口令在终端中输入")
    backup.add_argument("--json", action="store_true")


def add_parsers(sub: Any) -> None:
    """The `restore` and `keys` commands."""
    restore = sub.add_parser("restore", help="从备份恢复数据库（先完整校验，再替换）")
    restore.add_argument("file", type=Path)
    restore.add_argument(
        "--passphrase-env", metavar="VAR", help="口令加密的备份：口令取自此环境变量（否则在终端中输入）"
    )
    restore.add_argument("--force", action="store_true", help="恢复到 PostgreSQL 服务器（替换服务器上的全部数据）")
    restore.add_argument("--json", action="store_true")

    keys = sub.add_parser("keys", help="数据密钥：列出持有人、轮换密钥（管理员）")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    listing = keys_sub.add_parser("list", help="数据密钥的代数和持有人")
    listing.add_argument("--json", action="store_true")
    rotate = keys_sub.add_parser("rotate", help="换一把新的数据密钥：重新加密全部身份证号和电话（一个事务）")
    rotate.add_argument("--json", action="store_true")


def _interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):
        return False


def _from_env(lang: str, var: str) -> str:
    value = os.environ.get(var, "")
    if not value:
        raise InvalidInputError(_t(lang, "no_env", var=var))
    return value


def _new_passphrase(ctx: Context) -> str | None:
    a = ctx.args
    if a.passphrase_env:
        return _from_env(ctx.lang, a.passphrase_env)
    if not a.passphrase:
        return None
    if not _interactive():
        raise InvalidInputError(_t(ctx.lang, "need_passphrase"))
    first = getpass.getpass(_t(ctx.lang, "passphrase"))
    if getpass.getpass(_t(ctx.lang, "again")) != first:
        raise InvalidInputError(_t(ctx.lang, "mismatch"))
    return first


def cmd_backup(ctx: Context) -> int:
    """Back the database up: encrypted (data key, or passphrase), or with --plain an SQLite copy."""
    from reception_desk.services import backup

    a = ctx.args
    if getattr(a, "plain", False):
        target = backup.backup(ctx.db, a.file, overwrite=a.force)
        if getattr(a, "json", False):
            _print_json({"file": str(target), "encrypted": False, "mode": backup.PLAIN})
        else:
            print(_t(ctx.lang, "backup_plain", file=target))
        return EXIT_OK
    result = backup.backup_encrypted(ctx.db, a.file, ctx.actor, overwrite=a.force, passphrase=_new_passphrase(ctx))
    if getattr(a, "json", False):
        _print_json(result.to_json())
        return EXIT_OK
    how = _t(ctx.lang, "data_key" if result.mode == "data-key" else "passphrase_mode")
    print(_t(ctx.lang, "backup_encrypted", file=result.file, how=how, generation=result.generation))
    return EXIT_OK


def cmd_restore(ctx: Context) -> int:
    """Restore the database from a backup file."""
    from reception_desk.cli.users_cmd import PASSWORD_ENV, USER_ENV
    from reception_desk.privacy.backup_file import PASSPHRASE
    from reception_desk.privacy.vault import DataLockedError
    from reception_desk.services import backup

    a = ctx.args
    mode = backup.backup_mode(a.file)
    passphrase = None
    if mode == PASSPHRASE:
        if a.passphrase_env:
            passphrase = _from_env(ctx.lang, a.passphrase_env)
        elif _interactive():
            passphrase = getpass.getpass(_t(ctx.lang, "passphrase"))
    user = ctx.actor if ctx.password is not None else (ctx.args.user or os.environ.get(USER_ENV))
    password = ctx.password if ctx.password is not None else os.environ.get(PASSWORD_ENV)
    credentials = backup.Credentials(passphrase, user, password)
    try:
        result = backup.restore(ctx.db, a.file, ctx.actor, credentials, force=a.force)
    except DataLockedError:
        if not (mode == "data-key" and user and password is None and _interactive()):
            raise
        password = getpass.getpass(_t(ctx.lang, "password_prompt", name=user))
        result = backup.restore(ctx.db, a.file, ctx.actor, backup.Credentials(None, user, password), force=a.force)
    if a.json:
        _print_json(result.to_json())
        return EXIT_OK
    created = backup.created_label(result.created_at) or "-"
    print(_t(ctx.lang, "restored", file=result.file, target=result.target, created=created, rev=result.revision))
    return EXIT_OK


def cmd_keys(ctx: Context) -> int:
    """keys list | rotate."""
    from reception_desk.services import data_keys

    a = ctx.args
    if a.keys_command == "rotate":
        done = data_keys.rotate(ctx.db, ctx.actor)
        if a.json:
            _print_json(done.to_json())
        else:
            print(
                _t(
                    ctx.lang,
                    "rotated",
                    old=done.old_generation,
                    new=done.generation,
                    visitors=done.visitors,
                    ids=done.ids,
                    phones=done.phones,
                    holders=done.holders,
                )
            )
        return EXIT_OK
    info = data_keys.list_keys(ctx.db, ctx.actor)
    if a.json:
        _print_json(info.to_json())
        return EXIT_OK
    if info.database_id is None:
        print(_t(ctx.lang, "no_key"))
        return EXIT_OK
    print(_t(ctx.lang, "keys_head", db_id=info.database_id, generation=info.generation, n=len(info.holders)))
    print("\t".join(_t(ctx.lang, "keys_cols").split("|")))
    from reception_desk.domain.office_time import to_local

    for h in info.holders:
        added = f"{to_local(h['created_at']):%Y-%m-%d %H:%M}" if h.get("created_at") else "-"
        print(f"{h['holder']}\t{h['generation']}\t{added}")
    return EXIT_OK


COMMANDS: dict[str, Callable[[Context], int]] = {"backup": cmd_backup, "restore": cmd_restore, "keys": cmd_keys}
