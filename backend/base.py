"""Declarative base, shared column types and helpers for every domain's models."""

import enum
from datetime import datetime

from pgvector.sqlalchemy import Vector
from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, MetaData, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

EMBEDDING_DIM = 384

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def enum_column(enum_cls: type[enum.Enum]) -> Enum:
    """A VARCHAR enum holding the member values, checked by the database."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        name=enum_cls.__name__.lower(),
    )


def vector_column(nullable: bool = True) -> Mapped:
    return mapped_column(Vector(EMBEDDING_DIM), nullable=nullable)


# GIN indexes of postings update in place: with the default fast update, new rows wait in a pending list
# that every search reads in full (up to 4 MB); a df probe on csl_zh took 25 ms instead of 0.2 ms.
GIN_WITH = {"fastupdate": "off"}


def tsvector_column() -> Mapped:
    return mapped_column(TSVECTOR, nullable=True)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class MatchState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class PostingColumns(Timestamped):
    """Columns shared by needs and capabilities: text, language, vectors and matching state."""

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    # The language the author chose on the form; None means detected from the text.
    language_chosen: Mapped[str | None] = mapped_column(String(8))
    # The organisation's own id for the posting (bulk import): importing a row again updates this posting.
    external_id: Mapped[str | None] = mapped_column(String(100))
    embedding = vector_column()
    embedding_en = vector_column()
    lexical = tsvector_column()
    match_state: Mapped[MatchState] = mapped_column(enum_column(MatchState), default=MatchState.PENDING)
    match_error: Mapped[str | None] = mapped_column(Text)
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)

    @declared_attr
    def organisation_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("organisations.id"), index=True)

    @declared_attr
    def chain_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("industry_chains.id"), index=True)
