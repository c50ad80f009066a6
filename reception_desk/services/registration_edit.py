"""Editing a registered batch: its people, headcount, theme, place and request, in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, BatchMember, Theme, Visitor
from reception_desk.domain import phone as phones
from reception_desk.domain.batches import CHECKED_IN, BatchStatus, Flag, Source
from reception_desk.domain.names import clean_name, clean_text, initials
from reception_desk.domain.resident_id import mask
from reception_desk.domain.roles import Permission
from reception_desk.domain.themes import BY_CODE
from reception_desk.privacy import fields
from reception_desk.services import audit, authz
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import InvalidInputError, NotFoundError, StaleWriteError
from reception_desk.services.registrations import (
    BATCH_FIELDS,
    PersonInput,
    RegistrationInput,
    check_person,
    find_or_create_visitor,
    set_visitor,
)
from reception_desk.services.repeats import batch_repeats_in


@dataclass(frozen=True)
class EditableRegistration:
    """A batch as the edit dialog fills it in: the input (whole resident IDs; the dialog masks them) and version."""

    batch_id: int
    reg_no: str
    version: int
    status: str
    walk_in: bool
    room_number: int | None
    data: RegistrationInput
    visitor_versions: dict[int, int] = field(default_factory=dict)  # the people as the dialog shows them
    lead_visitor_id: int | None = None  # the lead person (显示完整号码 of his ID)


def load_registration(db: Database, batch_id: int) -> EditableRegistration:
    """The batch's current values, ready for the dialog."""
    with db.read() as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            raise NotFoundError(f"批次 #{batch_id} 不存在。")
        people = [
            PersonInput(m.visitor.name, m.visitor.id_number or "", m.visitor.phone)
            for m in sorted(batch.members, key=lambda m: (not m.is_lead, m.position))
        ]
        if not people:  # a batch always has its lead as a member; be lenient with hand-made rows
            people = [PersonInput(batch.lead.name, batch.lead.id_number or "", batch.lead.phone)]
        data = RegistrationInput(
            lead=people[0],
            request=batch.request,
            theme_code=batch.theme.code,
            headcount=batch.headcount,
            companions=people[1:],
            township=batch.township,
            village=batch.village,
            category_text=batch.category_text,
        )
        people_ids = [m.visitor_id for m in batch.members] or [batch.lead_visitor_id]
        versions = dict(
            session.execute(select(Visitor.id, Visitor.version).where(Visitor.id.in_(people_ids))).tuples().all()
        )
        leads = [m.visitor_id for m in batch.members if m.is_lead]
        return EditableRegistration(
            visitor_versions=versions,
            lead_visitor_id=leads[0] if leads else batch.lead_visitor_id,
            batch_id=batch.id,
            reg_no=batch.reg_no,
            version=batch.version,
            status=batch.status,
            walk_in=batch.source == Source.WALK_IN.value,
            room_number=batch.room.number if batch.room is not None else None,
            data=data,
        )


def update_registration(
    db: Database,
    batch_id: int,
    data: RegistrationInput,
    actor: str,
    expected_version: int,
    visitor_versions: Mapping[int, int],
) -> ChangeSet:
    """Save the edited batch: one transaction with an audit entry; a stale version is refused.

    `expected_version` is the batch's version and `visitor_versions` its people's versions as the dialog showed
    them (EditableRegistration): when the batch or one of its people changed since, StaleWriteError.

    People keep their visitor rows where they can (a row used by this batch only is corrected in place; an ID
    already on file links that person). Flags follow the new values: 待核 when an ID is not valid (kept as it
    was when no ID changed), 疑似重复 re-checked when the lead changed, 类别推断 dropped when the theme is
    chosen anew. A theme change frees the room of a batch not yet checked in and not placed by hand (the next
    assignment places it); a checked-in batch keeps its room.
    """
    request = clean_text(data.request)
    if not request:
        raise InvalidInputError("诉求内容不能为空。")
    if data.theme_code not in BY_CODE:
        raise InvalidInputError(f"未知的问题类别：{data.theme_code}")
    with db.session() as session:
        authz.require(session, actor, Permission.REGISTER)
        batch = session.get(Batch, batch_id)
        if batch is None:
            raise NotFoundError(f"批次 #{batch_id} 不存在。")
        if batch.version != expected_version:
            raise StaleWriteError("批次", batch.id, expected_version, batch.version)
        _check_visitors(session, visitor_versions)
        theme_id = session.scalar(select(Theme.id).where(Theme.code == data.theme_code))
        if theme_id is None:
            raise InvalidInputError(f"主题“{data.theme_code}”尚未建立。")
        members = sorted(batch.members, key=lambda m: (not m.is_lead, m.position))
        before = {
            **audit.snapshot(batch, BATCH_FIELDS),
            "members": [m.visitor_id for m in members],
            "people": [_person_entry(m.visitor) for m in members],
        }
        old_ids = [(m.visitor.id_number or "") for m in members]
        old_visitors = {m.visitor_id for m in members}
        township, village = clean_text(data.township), clean_text(data.village)

        id_flags: set[str] = set()
        old_lead = members[0].visitor if members else batch.lead
        lead = _resolve(session, data.lead, old_lead, batch.id, township, village, id_flags)
        old_companions = [m.visitor for m in members[1:]]
        companions = [
            _resolve(session, person, _counterpart(person, i, old_companions), batch.id, township, village, id_flags)
            for i, person in enumerate(p for p in data.companions if p.name.strip())
        ]
        people = list(dict.fromkeys([lead, *companions]))
        _replace_members(session, batch, members, people)

        flags = set(batch.flags or []) - {Flag.COLLECTIVE.value}
        new_ids = [(p.id_number or "") for p in people]
        if new_ids != old_ids:
            flags.discard(Flag.ID_TO_CHECK.value)
        flags |= id_flags
        if lead.id != batch.lead_visitor_id:
            flags.discard(Flag.DUPLICATE.value)
            if _registered_elsewhere(session, batch.day_id, lead.id, batch.id):
                flags.add(Flag.DUPLICATE.value)
        rooms: set[int] = set()
        if theme_id != batch.theme_id:
            flags.discard(Flag.THEME_INFERRED.value)
            checked_in = BatchStatus(batch.status) in CHECKED_IN
            if batch.room_id is not None and not checked_in and not batch.placed_by_hand:
                rooms.add(batch.room_id)
                batch.room_id = None
                batch.queue_position = None

        batch.lead_visitor_id = lead.id
        batch.headcount = max(data.headcount or 0, len(people))
        batch.theme_id = theme_id
        batch.request = request
        batch.township = township
        batch.village = village
        batch.flags = sorted(flags)
        flag_modified(batch, "flags")  # always an UPDATE of the row, so the version moves even for member edits
        session.flush()
        # 重复访 follows the people now in the batch (a corrected ID may name someone who came before); the stored
        # flag is what lists and the room's case record rely on
        repeat = bool(batch_repeats_in(session, batch))
        if repeat != (Flag.REPEAT.value in batch.flags):
            batch.flags = sorted(set(batch.flags) ^ {Flag.REPEAT.value})
            session.flush()
        after = {
            **audit.snapshot(batch, BATCH_FIELDS),
            "members": [p.id for p in people],
            "people": [_person_entry(p) for p in people],
        }
        changed_before, changed_after = audit.diff(before, after)
        audit.record(session, actor, "edit", "batch", batch.id, changed_before, changed_after)
        return ChangeSet(batches={batch.id}, visitors=old_visitors | {p.id for p in people}, rooms=rooms)


def _person_entry(visitor: Visitor) -> dict[str, str]:
    """A person as the audit log keeps him: name, the masked phone and the masked ID (never a whole number)."""
    return {"name": visitor.name, "phone": phones.mask(visitor.phone), "id_number": mask(visitor.id_number)}


def _check_visitors(session: Session, expected: Mapping[int, int]) -> None:
    """StaleWriteError when one of the people changed since the dialog read them (their rows stay locked)."""
    if not expected:
        return
    current = dict(
        session.execute(select(Visitor.id, Visitor.version).where(Visitor.id.in_(list(expected))).with_for_update())
        .tuples()
        .all()
    )
    for visitor_id, version in sorted(expected.items()):
        now = current.get(visitor_id)
        if now is not None and now != version:
            raise StaleWriteError("来访人", visitor_id, version, now)


def _counterpart(person: PersonInput, index: int, old: list[Visitor]) -> Visitor | None:
    """The companion this line was before the edit: the same name, else the same place in the list."""
    name = clean_name(person.name)
    for visitor in old:
        if visitor.name == name:
            return visitor
    return old[index] if index < len(old) else None


def _resolve(
    session: Session,
    person: PersonInput,
    before: Visitor | None,
    batch_id: int,
    township: str,
    village: str,
    flags: set[str],
) -> Visitor:
    """The visitor row for an edited person (see update_registration)."""
    checked = check_person(person, flags)
    name, id_number, id_ok, phone_text = checked.name, checked.id_number, checked.id_valid, checked.phone
    if id_number:
        holder = session.scalar(select(Visitor).where(Visitor.id_hash == fields.id_hash(id_number)))
        if holder is not None:
            if (before is not None and holder.id == before.id) or holder.name == name:
                set_visitor(
                    holder,
                    name=name,
                    name_initials=initials(name) if holder.name != name else holder.name_initials,
                    phone=phone_text or holder.phone,
                    township=township or holder.township,
                    village=village or holder.village,
                )
            else:
                flags.add(Flag.ID_TO_CHECK.value)  # the ID is on file under another name: check the card
            return holder
    if before is not None and _only_in(session, before.id, batch_id):
        # nobody else refers to this row: correct it in place (a misspelt name, a mistyped ID)
        set_visitor(
            before,
            name=name,
            name_initials=initials(name) if before.name != name else before.name_initials,
            id_number=id_number,
            id_valid=id_ok,
            phone=phone_text,
            township=township or before.township,
            village=village or before.village,
        )
        return before
    return find_or_create_visitor(session, name, id_number, id_ok, phone_text, township, village)


def _only_in(session: Session, visitor_id: int, batch_id: int) -> bool:
    """True when the visitor belongs to no other batch (of any day)."""
    others = session.scalar(
        select(func.count())
        .select_from(BatchMember)
        .where(BatchMember.visitor_id == visitor_id, BatchMember.batch_id != batch_id)
    )
    leads = session.scalar(
        select(func.count()).select_from(Batch).where(Batch.lead_visitor_id == visitor_id, Batch.id != batch_id)
    )
    return not others and not leads


def _replace_members(session: Session, batch: Batch, members: list[BatchMember], people: list[Visitor]) -> None:
    """Make the batch's members exactly `people` (lead first); a person who stays keeps their check-in time."""
    kept = {m.visitor_id: m for m in members}
    wanted = {p.id for p in people}
    for member in members:
        if member.visitor_id not in wanted:
            batch.members.remove(member)
    session.flush()
    for position, person in enumerate(people):
        existing = kept.get(person.id)
        if existing is None:
            batch.members.append(BatchMember(visitor_id=person.id, position=position, is_lead=position == 0))
        else:
            existing.position = position
            existing.is_lead = position == 0


def _registered_elsewhere(session: Session, day_id: int, visitor_id: int, batch_id: int) -> bool:
    return (
        session.scalar(
            select(BatchMember.id)
            .join(Batch, Batch.id == BatchMember.batch_id)
            .where(Batch.day_id == day_id, BatchMember.visitor_id == visitor_id, Batch.id != batch_id)
            .limit(1)
        )
        is not None
    )
