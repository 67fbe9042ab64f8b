"""Alembic environment: runs against the configured (or embedded) database."""

from alembic import context
from sqlalchemy import create_engine

from backend.matches.graphs import MANAGED_INDEXES
from backend.models import Base

target_metadata = Base.metadata
config = context.config

# Tables that belong to others (the Celery broker) are not ours to diff.
FOREIGN_PREFIXES = ("kombu_", "celery_")


def include_name(name, type_, parent_names):  # noqa: ANN001
    if type_ == "table":
        return not (name or "").startswith(FOREIGN_PREFIXES)
    return True


def include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001
    # The multilingual graphs change shape as their tables grow (backend/matches/graphs.py): a dense one in place
    # of the migrations' graph is the product working, not a drift. Skipped on both sides of the comparison.
    return not (type_ == "index" and name in MANAGED_INDEXES)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from backend.db import database_url

        url = database_url()
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
