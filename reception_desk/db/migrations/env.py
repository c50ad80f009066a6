"""Alembic environment: runs on the connection the app hands over (cfg.attributes['connection'])."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from reception_desk.db.engine import make_engine
from reception_desk.db.models import Base

config = context.config
target_metadata = Base.metadata


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # the SQLite full-text search tables of revision 0002 live outside the models: autogenerate leaves them be
    return not (type_ == "table" and name is not None and name.startswith("visitor_") and "_fts" in name)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use the connection given by the caller, else open one from sqlalchemy.url."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; use `reception-desk db upgrade`")
run_migrations_online()
