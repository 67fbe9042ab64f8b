"""A university's or institute's offer: expertise, patent, equipment or a result for transfer."""

import enum

from sqlalchemy import ARRAY, CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.base import GIN_WITH, Base, PostingColumns, enum_column
from backend.chains.models import IndustryChain
from backend.organisations.models import Organisation


class CapabilityKind(enum.StrEnum):
    EXPERTISE = "expertise"
    PATENT = "patent"
    EQUIPMENT = "equipment"
    RESULT = "result"


class CapabilityStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class Capability(PostingColumns, Base):
    __tablename__ = "capabilities"
    __table_args__ = (
        UniqueConstraint("organisation_id", "external_id"),
        CheckConstraint("trl IS NULL OR trl BETWEEN 1 AND 9", name="trl"),
        Index("ix_capabilities_embedding_hnsw", "embedding", postgresql_using="hnsw",
              postgresql_with={"m": 16, "ef_construction": 64},
              postgresql_ops={"embedding": "vector_cosine_ops"}),
        Index("ix_capabilities_embedding_en_hnsw", "embedding_en", postgresql_using="hnsw",
              postgresql_with={"m": 16, "ef_construction": 64},
              postgresql_ops={"embedding_en": "vector_cosine_ops"}),
        Index("ix_capabilities_lexical_gin", "lexical", postgresql_using="gin", postgresql_with=GIN_WITH),
        Index("ix_capabilities_title_trgm", "title", postgresql_using="gin", postgresql_with=GIN_WITH,
              postgresql_ops={"title": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CapabilityKind] = mapped_column(enum_column(CapabilityKind))
    team: Mapped[str | None] = mapped_column(String(200))
    trl: Mapped[int | None] = mapped_column(Integer)
    patent_numbers: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    contact: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[CapabilityStatus] = mapped_column(
        enum_column(CapabilityStatus), default=CapabilityStatus.ACTIVE, index=True
    )

    organisation: Mapped[Organisation] = relationship(lazy="raise")
    chain: Mapped[IndustryChain | None] = relationship(lazy="raise")
