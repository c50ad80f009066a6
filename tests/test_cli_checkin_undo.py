"""`reception-desk checkin --undo REG_NO --reason …`: the check-in taken back (audited), the number not reused;
bad input exits 2 and changes nothing; the --json keys of a check-in stay, with 排队号 per room and 前面还有."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Batch
from tests.test_cli_after_day import Cli, _day_with_batches


def _undo_entries(db: Database) -> list[tuple[str, str]]:
    with db.read() as session:
        return list(
            session.execute(
                sa.select(AuditEntry.actor, AuditEntry.reason).where(AuditEntry.action == "undo_check_in")
            ).tuples()
        )


def test_checkin_json_keys_and_undo(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(db, capsys)
    first, second, third = _day_with_batches(db, 3)  # all three in the labour rooms (4 and 5)
    checked = [cli.json("checkin", reg_no, "--at", "2026-12-04 09:00") for reg_no in (first, second)]
    keys = {"reg_no", "queue_number", "status", "room", "checked_in", "members", "newly_checked_in"}
    assert keys <= set(checked[0]) and checked[0]["newly_checked_in"] == 1
    assert checked[0]["queue_number"] == 1 and checked[0]["ahead"] == 0

    undone = cli.json("checkin", "--undo", first, "--reason", "认错了人")
    assert undone["reg_no"] == first and undone["status"] == "registered" and undone["queue_number"] is None
    assert undone["undone"] is True and undone["undone_queue_number"] == 1
    assert _undo_entries(db) == [("测试员", "认错了人")]

    again = cli.json("checkin", first, "--at", "2026-12-04 09:30")
    assert again["room"] == checked[0]["room"] and again["queue_number"] != 1  # 1 is never given again
    text = cli.ok("checkin", third, "--at", "2026-12-04 09:40")
    assert "已签到" in text and "排队号 第" in text and "号" in text


def test_undo_refusals_exit_2_and_change_nothing(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(db, capsys)
    (reg_no,) = _day_with_batches(db, 1)
    for argv, word in (
        (("checkin", "--undo", reg_no, "--reason", "误签"), "不能撤销签到"),  # not checked in yet
        (("checkin", reg_no, "--reason", "误签"), "--undo"),
    ):
        code, out, err = cli.run(*argv)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and word in err, (argv, err)
    cli.ok("checkin", reg_no, "--at", "2026-12-04 09:00")
    for argv, word in (
        (("checkin", "--undo", reg_no), "原因"),
        (("checkin", "--undo", reg_no, "--reason", "  "), "原因"),
        (("checkin", "--undo", "Y9999", "--reason", "误签"), "Y9999"),
        (("checkin", "--undo", reg_no, "--person", "无此人", "--reason", "误签"), "无此人"),
    ):
        code, out, err = cli.run(*argv)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and word in err, (argv, err)
    with db.read() as session:
        batch = session.scalars(sa.select(Batch).where(Batch.reg_no == reg_no)).one()
        assert batch.status == "waiting" and batch.queue_number == 1
    assert _undo_entries(db) == []
