"""A case's life after the day: open (交办) → signed (签收) → replied (反馈) → closed (办结) → follow-up (回访).

Words, labels and the order of the steps; no database here. A step out of order is refused with the message
`refusal` gives.
"""

from __future__ import annotations

from enum import Enum


class CaseStatus(Enum):
    """Where a case stands after the day."""

    OPEN = "open"  # 待签收: handed over, the department has not signed for it
    SIGNED = "signed"  # 已签收
    REPLIED = "replied"  # 已反馈: the department reported back at least once
    CLOSED = "closed"  # 已办结

    @property
    def label(self) -> str:
        """Chinese name shown to users."""
        return {"open": "待签收", "signed": "已签收", "replied": "已反馈", "closed": "已办结"}[self.value]


RATINGS: dict[str, str] = {
    "satisfied": "满意",
    "basically": "基本满意",
    "dissatisfied": "不满意",
    "unreachable": "未能联系",
}
RATED = frozenset({"satisfied", "basically", "dissatisfied"})  # 未能联系 is not a rating
SATISFIED = frozenset({"satisfied", "basically"})
METHODS: dict[str, str] = {"phone": "电话", "visit": "上门", "sms": "短信"}
EVENT_KINDS: dict[str, str] = {
    "signed": "签收",
    "feedback": "反馈",
    "extended": "延期",
    "closed": "办结",
    "follow_up": "回访",
    "supervised": "挂牌督办",
    "escalated": "提级核查",
}


def _parse(text: str, table: dict[str, str], what: str) -> str:
    value = (text or "").strip()
    if value.lower() in table:
        return value.lower()
    for key, label in table.items():
        if value == label:
            return key
    choices = "、".join(table.values())
    raise ValueError(f"未知的{what}：{text}（应为 {choices}）。")


def parse_rating(text: str) -> str:
    """satisfied | basically | dissatisfied | unreachable from the Chinese word or the key (ValueError if neither)."""
    return _parse(text, RATINGS, "回访结果")


def parse_method(text: str) -> str:
    """phone | visit | sms from 电话 / 上门 / 短信 or the key."""
    return _parse(text, METHODS, "回访方式")


def parse_yes_no(text: str) -> bool:
    """化解 yes/no: yes, no, 是, 否, 已化解, 未化解."""
    value = (text or "").strip().lower()
    if value in ("yes", "y", "true", "1", "是", "已化解", "化解"):
        return True
    if value in ("no", "n", "false", "0", "否", "未化解"):
        return False
    raise ValueError(f"“化解”应为 yes 或 no（是/否）：{text}")


def refusal(step: str, status: CaseStatus, outcome: str, case_no: str) -> str | None:
    """Why `step` cannot be taken on a case in `status` (None: it can)."""
    handed_over = outcome == "handed_over"
    if step == "sign":
        if not handed_over:
            return f"案件 {case_no} 已当场办结，无需责任单位签收。"
        if status is not CaseStatus.OPEN:
            return f"案件 {case_no} 已于此前签收（当前：{status.label}），不能重复签收。"
    elif step == "feedback":
        if not handed_over:
            return f"案件 {case_no} 已当场办结，没有责任单位反馈环节。"
        if status is CaseStatus.OPEN:
            return f"案件 {case_no} 尚未签收：责任单位签收之后才能登记反馈。"
        if status is CaseStatus.CLOSED:
            return f"案件 {case_no} 已办结，不能再登记反馈。"
    elif step == "close":
        if status is CaseStatus.CLOSED:
            return f"案件 {case_no} 已办结，不能重复办结。"
        if status is CaseStatus.OPEN:
            return f"案件 {case_no} 尚未签收：须经签收和反馈后才能办结。"
        if status is CaseStatus.SIGNED:
            return f"案件 {case_no} 尚无责任单位反馈：登记反馈后才能办结。"
    elif step == "follow_up":
        if status is not CaseStatus.CLOSED:
            return f"案件 {case_no} 尚未办结（当前：{status.label}）：办结之后才能回访。"
    elif step == "extend":
        if not handed_over:
            return f"案件 {case_no} 不是交办件，没有办理期限可以延期。"
        if status is CaseStatus.CLOSED:
            return f"案件 {case_no} 已办结，不能再延期。"
    return None


def next_step(status: CaseStatus, outcome: str, followed_up: bool) -> str:
    """The next step's name, for lists and the tracking page ('' when nothing is left)."""
    if status is CaseStatus.OPEN:
        return "sign"
    if status is CaseStatus.SIGNED:
        return "feedback"
    if status is CaseStatus.REPLIED:
        return "close"
    return "" if followed_up else "follow_up"
