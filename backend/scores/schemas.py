"""What the dashboard and `/api/v1/metrics` read: one scope's five dimensions with their components."""

from datetime import date

from pydantic import BaseModel


class ComponentOut(BaseModel):
    code: str
    unit: str
    higher_is_better: bool
    raw_value: float | None  # None: no data yet
    value: float | None  # normalised 0-100
    target: float | None
    previous_raw_value: float | None
    trend: float | None  # points against the previous period
    detail: dict


class DimensionOut(BaseModel):
    dimension: str
    value: float | None
    trend: float | None
    components: list[ComponentOut]
    waiting: list[str]  # components that wait for other work (docs/scores.md)


class ScoresOut(BaseModel):
    region_code: str
    chain_id: int | None
    period: str
    period_start: date
    period_end: date
    is_sample: bool
    dimensions: list[DimensionOut]
    composite: float | None
    weights: dict[str, float]
