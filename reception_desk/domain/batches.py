"""Batches (批次): status flow, collective visits, flags and expected session length."""

from __future__ import annotations

from enum import Enum

COLLECTIVE_MIN_PEOPLE = 5


class BatchStatus(Enum):
    """Where a batch stands on the day."""

    REGISTERED = "registered"  # 已登记, not yet at the venue
    ARRIVED = "arrived"  # 已签到
    WAITING = "waiting"  # 候谈, in its room's queue
    IN_SESSION = "in_session"  # 接谈中
    DONE = "done"  # 已接待
    NO_SHOW = "no_show"  # 未到

    @property
    def label(self) -> str:
        """Chinese name shown to users."""
        return _LABELS[self]


_LABELS = {
    BatchStatus.REGISTERED: "已登记",
    BatchStatus.ARRIVED: "已签到",
    BatchStatus.WAITING: "候谈",
    BatchStatus.IN_SESSION: "接谈中",
    BatchStatus.DONE: "已接待",
    BatchStatus.NO_SHOW: "未到",
}

TRANSITIONS: dict[BatchStatus, frozenset[BatchStatus]] = {
    BatchStatus.REGISTERED: frozenset({BatchStatus.ARRIVED, BatchStatus.WAITING, BatchStatus.NO_SHOW}),
    BatchStatus.ARRIVED: frozenset({BatchStatus.WAITING, BatchStatus.IN_SESSION, BatchStatus.NO_SHOW}),
    BatchStatus.WAITING: frozenset({BatchStatus.IN_SESSION, BatchStatus.NO_SHOW}),
    BatchStatus.IN_SESSION: frozenset({BatchStatus.DONE, BatchStatus.WAITING}),
    BatchStatus.DONE: frozenset(),
    BatchStatus.NO_SHOW: frozenset({BatchStatus.ARRIVED, BatchStatus.WAITING}),
}

# Statuses after which the batch is at the venue: auto-assignment never moves it.
CHECKED_IN = frozenset({BatchStatus.ARRIVED, BatchStatus.WAITING, BatchStatus.IN_SESSION, BatchStatus.DONE})


def can_move(current: BatchStatus, target: BatchStatus) -> bool:
    """True when the status flow allows going from current to target."""
    return target in TRANSITIONS[current]


class Source(Enum):
    """How a batch came in."""

    PRE_REGISTERED = "pre"  # 预登记
    WALK_IN = "walk_in"  # 现场登记


class Flag(Enum):
    """Marks on a batch that the desk must see."""

    ID_TO_CHECK = "id_to_check"  # 身份证待核
    COLLECTIVE = "collective"  # 集体访
    DUPLICATE = "duplicate"  # 疑似重复
    THEME_INFERRED = "theme_inferred"  # 类别由诉求推断
    REPEAT = "repeat"  # 重复访: the same person has a case on an earlier day

    @property
    def label(self) -> str:
        """Chinese name shown to users."""
        return {
            "id_to_check": "身份证待核",
            "collective": "集体访",
            "duplicate": "疑似重复",
            "theme_inferred": "类别推断",
            "repeat": "重复访",
        }[self.value]


def is_collective(headcount: int) -> bool:
    """A batch of five or more people is a collective visit (集体访)."""
    return headcount >= COLLECTIVE_MIN_PEOPLE


def expected_minutes(headcount: int) -> int:
    """Expected length of a session: 15 minutes, 3 more per extra person, 15 more for a collective visit."""
    minutes = 15 + 3 * max(0, headcount - 1)
    if is_collective(headcount):
        minutes += 15
    return minutes
