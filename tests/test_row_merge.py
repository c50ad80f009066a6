"""row_merge: the clashing fields of an edit against another laptop's save, and the merge by per-field choice."""

from __future__ import annotations

from reception_desk.services import row_merge

BASE = {"name": "第1接待室", "host": "区长 王强", "location": "101教室", "capacity": 8}


def test_only_fields_that_differ_between_theirs_and_mine_clash() -> None:
    mine = {**BASE, "host": "副区长 李华", "capacity": 10}  # I changed host and capacity
    theirs = {**BASE, "host": "区委书记 张明", "location": "102教室", "capacity": 10}  # they host, location, same cap
    found = row_merge.clashes(BASE, mine, theirs)
    assert [c.key for c in found] == ["host", "location"]  # capacity: both typed 10, nothing to ask
    host, location = found
    assert (host.theirs, host.mine, host.changed_by_me) == ("区委书记 张明", "副区长 李华", True)
    assert (location.theirs, location.mine, location.changed_by_me) == ("102教室", "101教室", False)


def test_no_clash_when_theirs_equals_mine() -> None:
    assert row_merge.clashes(BASE, dict(BASE), dict(BASE)) == []


def test_keys_choose_and_order_the_fields() -> None:
    mine = {**BASE, "host": "甲", "name": "乙"}
    found = row_merge.clashes(BASE, mine, BASE, keys=("host", "name"))
    assert [c.key for c in found] == ["host", "name"]


def test_merge_takes_theirs_plus_the_fields_kept_as_mine() -> None:
    mine = {**BASE, "host": "副区长 李华", "location": "103教室"}
    theirs = {**BASE, "host": "区委书记 张明", "location": "102教室"}
    merged = row_merge.merge(theirs, mine, ["host"])
    assert merged == {**BASE, "host": "副区长 李华", "location": "102教室"}
    assert row_merge.changes(merged, theirs) == {"host": "副区长 李华"}
    assert row_merge.changes(row_merge.merge(theirs, mine, []), theirs) == {}
    assert theirs["host"] == "区委书记 张明"  # theirs itself is not changed
