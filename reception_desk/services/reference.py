"""Reference data every database holds: the themes and the department directory with theme defaults."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception_desk.db.models import Department, Theme, ThemeDepartment
from reception_desk.domain.room_plan import default_departments
from reception_desk.domain.themes import THEMES


def ensure_themes(session: Session) -> dict[str, int]:
    """Create missing themes of the standard plan; return theme id by code."""
    existing = {t.code: t for t in session.scalars(select(Theme))}
    for order, spec in enumerate(THEMES):
        if spec.code not in existing:
            theme = Theme(code=spec.code, name=spec.name, name_en=spec.name_en, sort_order=order)
            session.add(theme)
            existing[spec.code] = theme
    session.flush()
    return {code: t.id for code, t in existing.items()}


def ensure_departments(session: Session) -> bool:
    """Fill an empty directory with the district departments and their theme defaults. True if it did."""
    if session.scalar(select(Department.id).limit(1)) is not None:
        return False
    theme_ids = ensure_themes(session)
    for spec in default_departments():
        dept = Department(name=spec.name, short_name=spec.short_name, kind=spec.kind, active=True)
        session.add(dept)
        session.flush()
        for rank, code in enumerate(spec.themes):
            session.add(ThemeDepartment(theme_id=theme_ids[code], department_id=dept.id, rank=rank))
    session.flush()
    return True


def theme_codes(session: Session) -> dict[int, str]:
    """Theme code by theme id."""
    return {t.id: t.code for t in session.scalars(select(Theme))}
