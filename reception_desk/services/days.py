"""Reception days: create one with the default 15-room plan, find the day to work on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reception_desk.db.engine import Database
from reception_desk.db.models import ReceptionDay, Room
from reception_desk.domain import office_time
from reception_desk.domain.roles import Permission
from reception_desk.domain.room_plan import default_rooms
from reception_desk.services import audit, authz
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import InvalidInputError, NotFoundError
from reception_desk.services.reference import ensure_departments, ensure_themes

DEFAULT_TITLE = "区领导下访接访日"
DEFAULT_VENUE = "衢州市衢江区 区信访局接待中心"
DEFAULT_PHONE = "0570-3023456"


@dataclass(frozen=True)
class DayInfo:
    """A reception day as the callers see it."""

    id: int
    date: dt.date
    title: str
    venue: str
    leaders: str
    bureau_phone: str


def _info(day: ReceptionDay) -> DayInfo:
    return DayInfo(day.id, day.date, day.title, day.venue, day.leaders, day.bureau_phone)


def create_day_in(
    session: Session,
    date: dt.date,
    title: str = DEFAULT_TITLE,
    venue: str = DEFAULT_VENUE,
    leaders: str = "",
    bureau_phone: str = DEFAULT_PHONE,
    actor: str = audit.SYSTEM,
) -> ReceptionDay:
    """Create a day with the default room plan inside the caller's transaction."""
    if session.scalar(select(ReceptionDay.id).where(ReceptionDay.date == date)) is not None:
        raise InvalidInputError(f"{date:%Y年%m月%d日} 的接访日已经存在。")
    theme_ids = ensure_themes(session)
    ensure_departments(session)
    day = ReceptionDay(
        date=date,
        title=title.strip() or DEFAULT_TITLE,
        venue=venue,
        leaders=leaders,
        bureau_phone=bureau_phone,
    )
    session.add(day)
    session.flush()
    for spec in default_rooms():
        session.add(
            Room(
                day_id=day.id,
                number=spec.number,
                name=spec.name,
                theme_id=theme_ids[spec.theme],
                location=spec.location,
                capacity=spec.capacity,
            )
        )
    session.flush()
    audit.record(session, actor, "create", "reception_day", day.id, after=audit.snapshot(day))
    return day


def create_day(
    db: Database,
    date: dt.date,
    title: str = DEFAULT_TITLE,
    venue: str = DEFAULT_VENUE,
    leaders: str = "",
    bureau_phone: str = DEFAULT_PHONE,
    actor: str = audit.SYSTEM,
) -> tuple[DayInfo, ChangeSet]:
    """Create a reception day with the 15-room plan (and the directory, if the database has none)."""
    with db.session() as session:
        authz.require(session, actor, Permission.ADMIN)
        day = create_day_in(session, date, title, venue, leaders, bureau_phone, actor)
        rooms = set(session.scalars(select(Room.id).where(Room.day_id == day.id)))
        return _info(day), ChangeSet(days={day.id}, rooms=rooms)


def nearest_day_in(session: Session, today: dt.date | None = None) -> ReceptionDay | None:
    """The day closest to today (a future day wins a tie), or None when there is no day."""
    today = today or office_time.today()
    days = list(session.scalars(select(ReceptionDay)))
    if not days:
        return None
    return min(days, key=lambda d: (abs((d.date - today).days), d.date < today))


def find_day(db: Database, date: dt.date | None = None, today: dt.date | None = None) -> DayInfo:
    """The day of that date, else the day nearest today; NotFoundError when there is none."""
    with db.read() as session:
        if date is not None:
            day = session.scalar(select(ReceptionDay).where(ReceptionDay.date == date))
            if day is None:
                raise NotFoundError(f"没有 {date:%Y年%m月%d日} 的接访日。")
            return _info(day)
        nearest = nearest_day_in(session, today)
        if nearest is None:
            raise NotFoundError("数据库中还没有接访日，请先创建（reception-desk day create）或导入预登记名单。")
        return _info(nearest)


def list_days(db: Database) -> list[DayInfo]:
    """Every day, newest first."""
    with db.read() as session:
        return [_info(d) for d in session.scalars(select(ReceptionDay).order_by(ReceptionDay.date.desc()))]


def day_count(db: Database) -> int:
    """How many days the database holds."""
    with db.read() as session:
        return int(session.scalar(select(func.count(ReceptionDay.id))) or 0)
