"""`reception-desk audit --json`: entries newest first, --since in the office's zone, --user filters by who did it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import update

from reception_desk.cli.main import main
from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import AuditEntry
from tests.helpers import make_day, register
from tests.test_audit_log import edit_request


def test_audit_json_since_and_user(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    db = Database(url)
    upgrade_to_head(db.engine)
    day_id = make_day(db)
    first, _second = register(db, day_id, 2)
    edit_request(db, first, "拖欠工资已部分发放", "desk1")
    with db.session() as session:  # everything yesterday (Shanghai), the edit at 09:30 on 2026-12-04
        session.execute(update(AuditEntry).values(at=dt.datetime(2026, 12, 3, 2, 0)))
        session.execute(
            update(AuditEntry).where(AuditEntry.actor == "desk1").values(at=dt.datetime(2026, 12, 4, 1, 30))
        )
    db.dispose()

    assert main(["--db", url, "audit", "--json"]) == 0
    everything = json.loads(capsys.readouterr().out)
    assert len(everything) == 4 and [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
    assert set(everything[0]) >= {
        "id",
        "at",
        "actor",
        "action",
        "action_label",
        "entity",
        "entity_id",
        "before",
        "after",
        "reason",
    }

    assert main(["--db", url, "audit", "--since", "2026-12-04", "--json"]) == 0
    since = json.loads(capsys.readouterr().out)
    assert [(e["actor"], e["action"], e["action_label"], e["entity"]) for e in since] == [
        ("desk1", "edit", "修改登记", "batch")
    ]
    assert since[0]["at"] == "2026-12-04T09:30:00+08:00"
    assert since[0]["before"] == {"request": "反映问题0"} and since[0]["after"] == {"request": "拖欠工资已部分发放"}

    assert main(["--db", url, "audit", "--since", "2026-12-04 09:31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--db", url, "audit", "--user", "desk1", "--json"]) == 0
    assert [e["id"] for e in json.loads(capsys.readouterr().out)] == [since[0]["id"]]
    assert main(["--db", url, "audit", "--limit", "2", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert main(["--db", url, "audit", "--since", "gestern"]) == 1
    assert "时间格式" in capsys.readouterr().err
