"""Administrative regions: China's official codes and foreign countries by ISO code."""

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.base import Base, enum_column


class RegionLevel(enum.StrEnum):
    COUNTRY = "country"
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    level: Mapped[RegionLevel] = mapped_column(enum_column(RegionLevel))
    country_code: Mapped[str] = mapped_column(String(2), default="CN")
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)

    parent: Mapped["Region | None"] = relationship(remote_side=[id], lazy="raise")

    @property
    def is_foreign(self) -> bool:
        return self.country_code != "CN"
