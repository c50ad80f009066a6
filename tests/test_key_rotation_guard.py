"""After an admin rotates the data key, a laptop still holding the old key cannot write under it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from reception_desk.db.engine import Database
from reception_desk.db.models import Visitor
from reception_desk.privacy import unlocked
from reception_desk.privacy.vault import DataLockedError
from reception_desk.services import data_keys
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from tests.helpers import make_day

ID = "33080319700101123X"


def test_a_laptop_with_the_old_key_is_refused_and_writes_nothing(db: Database) -> None:
    day_id = make_day(db)
    add_registration(db, day_id, RegistrationInput(PersonInput("王学德", ID, "13805701234"), "反映征地补偿"))
    db_id = db.database_id()
    assert db_id is not None
    old = unlocked.vault_for(db_id)
    assert old is not None
    data_keys.rotate(db, "admin")
    new = unlocked.vault_for(db_id)
    assert new is not None and new.generation == old.generation + 1

    unlocked.register(db_id, old)  # another laptop, logged in before the rotation
    with pytest.raises(DataLockedError, match="轮换"):
        add_registration(db, day_id, RegistrationInput(PersonInput("李秀英", "", "13905709876"), "反映噪声扰民"))
    assert unlocked.vault_for(db_id) is None  # dropped: the next step is a new login

    unlocked.register(db_id, new)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Visitor)) == 1  # the refused write left nothing
        assert session.scalar(select(Visitor.id_number)) == ID
