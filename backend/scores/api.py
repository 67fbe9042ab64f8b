"""JSON figures of the government dashboard under /api/v1/metrics (analysts use personal API tokens)."""

from typing import Literal

from fastapi import APIRouter, Depends, Query

from backend.auth import Principal
from backend.scores.pages import ANALYST, MetricsOut, metrics, resolve
from backend.web import Db

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])


@router.get("", response_model=MetricsOut)
def read_metrics(session: Db,
                 region: str | None = Query(default=None, description="a region code: Shaoxing (330600, the default) "
                                            "or one of its districts"),
                 chain: str | None = Query(default=None, description="an industry-chain code; empty: every chain"),
                 period: Literal["month", "quarter", "year"] = Query(default="month"),
                 at: str | None = Query(default=None, description="any day of the period (YYYY-MM-DD); "
                                        "default: the latest period with data"),
                 viewer: Principal = Depends(ANALYST)) -> MetricsOut:
    """The five dimension scores of a region, chain and period with their components (raw value, unit,
    normalised value, trend), the five scores of every district, the scores over the last periods (`trends`),
    the need-to-commercialisation funnel with the conversion at each step (`funnel`), every industry chain
    (`chains`) and the foreign partnerships by partner country (`countries`), as on `/dashboard`; names follow
    the request's language (`?lang=en`). Every number is explained in docs/scores.md."""
    return metrics(session, resolve(session, region, chain, period, at))
