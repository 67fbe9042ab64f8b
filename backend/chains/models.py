"""The industry-chain taxonomy of high-end intelligent equipment."""

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.base import Base


class IndustryChain(Base):
    __tablename__ = "industry_chains"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("industry_chains.id"), index=True)
    is_characteristic: Mapped[bool] = mapped_column(Boolean, default=False)
