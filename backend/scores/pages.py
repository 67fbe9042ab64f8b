"""The government dashboard: the five powers of a region, chain and period, their components and two charts.

Read-only and for government analysts (and admins). The figures come from `service.read`, the same rows the
JSON under `/api/v1/metrics` returns; the charts are SVG files rendered on the server by pygal, each served from
its own route (the page's policy forbids the inline styles an SVG carries) and shown with a data table beside."""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

import pygal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from pygal.style import Style
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import Role
from backend.auth import Principal, allow
from backend.chains.models import IndustryChain
from backend.errors import InvalidInput
from backend.i18n import _, format_number, lazy, localized
from backend.regions.models import Region
from backend.scores import service
from backend.scores.components import PERIOD_KINDS, WAITING, Period, local_day, period_of
from backend.scores.models import Dimension, ScoreSnapshot
from backend.scores.schemas import ScoresOut
from backend.web import Db, render

router = APIRouter()

ANALYST = allow(Role.GOVERNMENT_ANALYST)

DIMENSION_NAMES = {
    Dimension.SENSING.value: lazy("Intelligent sensing"),
    Dimension.PLANNING.value: lazy("Strategic planning"),
    Dimension.PROMOTION.value: lazy("Innovation promotion"),
    Dimension.CHARACTERISTIC.value: lazy("Characteristic development"),
    Dimension.COOPERATION.value: lazy("Shared cooperation"),
}
COMPONENT_NAMES = {
    "accepted_matches": lazy("Accepted matches"),
    "joint_projects": lazy("Joint projects"),
    "pairs_per_100_firms": lazy("Firm–university pairs per 100 active firms"),
    "collaborating_firm_share": lazy("Share of active firms collaborating"),
    "cross_district_collaborations": lazy("Collaborations across districts"),
    "neighbour_city_collaborations": lazy("Collaborations with Hangzhou and Ningbo"),
    "foreign_partnerships": lazy("Foreign partnerships"),
    "foreign_partnership_value": lazy("Value of foreign partnerships"),
    "matched_need_share": lazy("Share of needs matched"),
    "need_to_project_conversion": lazy("Needs that became a joint project"),
    "median_days_to_acceptance": lazy("Median days from posting to acceptance"),
    "project_completion_share": lazy("Share of finished projects completed"),
    "commercialised_projects": lazy("Projects commercialised"),
    "contract_value": lazy("Contract value of new projects"),
    "median_days_to_first_response": lazy("Median days to the first response"),
    "stale_need_share": lazy("Needs without a response in 14 days"),
    "major_projects": lazy("Major projects (municipal, provincial, national)"),
    "key_task_coverage": lazy("Coverage of the key core-technology tasks"),
    "strategic_chain_need_share": lazy("Share of needs in strategic chains"),
    "characteristic_lq": lazy("Location quotient of characteristic chains"),
    "characteristic_project_share": lazy("Share of projects in characteristic chains"),
    "qualified_match_within_7_days": lazy("Needs with a qualified match within 7 days"),
    "median_days_to_resolve_alert": lazy("Median days to resolve an alert"),
}
UNIT_NAMES = {
    "count": lazy("number"),
    "cny": lazy("yuan (CNY)"),
    "percent": lazy("percent"),
    "per_100_firms": lazy("pairs per 100 active firms"),
    "days": lazy("days"),
    "ratio": lazy("ratio (1 = like the whole platform)"),
}
PERIOD_NAMES = {"month": lazy("Month"), "quarter": lazy("Quarter"), "year": lazy("Year")}
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
CHART_FONTS = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", sans-serif'


class ComponentMetric(BaseModel):
    code: str
    name: str
    unit: str  # count, cny, percent, per_100_firms, days, ratio
    unit_name: str
    higher_is_better: bool
    raw_value: float | None  # in the unit; None: no data yet
    value: float | None  # normalised 0-100
    target: float | None
    previous_raw_value: float | None
    trend: float | None  # points against the previous period
    detail: dict


class WaitingMetric(BaseModel):
    code: str
    name: str


class DimensionMetric(BaseModel):
    code: str
    name: str
    value: float | None  # 0-100; None: no data yet
    trend: float | None  # points against the previous period
    components: list[ComponentMetric]
    waiting: list[WaitingMetric]  # components that wait for other work (docs/scores.md)


class DistrictMetric(BaseModel):
    region_code: str
    region_name: str
    dimensions: dict[str, float | None]  # dimension code -> 0-100 score, None: no data yet


class MetricsOut(BaseModel):
    """The dashboard's figures for one region, chain and period (docs/scores.md explains every one)."""

    region_code: str
    region_name: str
    chain: str | None  # chain code; None: every chain
    chain_name: str | None
    period: str  # month, quarter, year
    period_start: date
    period_end: date
    period_name: str
    has_data: bool
    is_sample: bool
    dimensions: list[DimensionMetric]
    composite: float | None
    weights: dict[str, float]
    districts: list[DistrictMetric]


@dataclass(frozen=True)
class Scope:
    region: Region
    regions: list[Region]  # the city first, then its districts
    chain: IndustryChain | None
    chains: list[IndustryChain]
    period: Period
    periods: list[Period]  # the periods of this kind with data for the region and chain, newest first


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def _home_regions(session: Session) -> list[Region]:
    city_code = service.load_settings().home_city
    city = session.scalar(select(Region).where(Region.code == city_code))
    if city is None:
        return []
    districts = session.scalars(select(Region).where(Region.parent_id == city.id).order_by(Region.code))
    return [city, *districts]


def _periods(session: Session, kind: str, region_id: int, chain_id: int | None) -> list[Period]:
    s = ScoreSnapshot
    chain = s.chain_id.is_(None) if chain_id is None else s.chain_id == chain_id
    query = (select(s.period_start).distinct().where(s.period == kind, s.region_id == region_id, chain)
             .order_by(s.period_start.desc()))
    return [period_of(kind, start) for start in session.scalars(query)]


def resolve(session: Session, region: str | None, chain: str | None, period: str | None, at: str | None) -> Scope:
    """The region (the city by default), chain, and period (the latest with data by default) of a request."""
    regions = _home_regions(session)
    if not regions:
        raise InvalidInput(_("The home region is missing from the reference data."), field="region")
    chosen = next((r for r in regions if r.code == (region or regions[0].code)), None)
    if chosen is None:
        raise InvalidInput(_("Choose Shaoxing or one of its districts."), field="region")
    chains = list(session.scalars(select(IndustryChain).order_by(IndustryChain.id)))
    chain_row = None
    if chain:
        chain_row = next((c for c in chains if c.code == chain), None)
        if chain_row is None:
            raise InvalidInput(_("This industry chain does not exist."), field="chain")
    kind = period or "month"
    if kind not in PERIOD_KINDS:
        raise InvalidInput(_("The period is a month, a quarter or a year."), field="period")
    periods = _periods(session, kind, chosen.id, chain_row.id if chain_row else None)
    if at:
        try:
            day = date.fromisoformat(at)
        except ValueError:
            raise InvalidInput(_("Choose a period from the list."), field="at") from None
        chosen_period = period_of(kind, day)
    elif periods:
        chosen_period = periods[0]
    else:
        chosen_period = period_of(kind, local_day(datetime.now(UTC)))
    if chosen_period not in periods:
        periods = sorted([*periods, chosen_period], key=lambda p: p.start, reverse=True)
    return Scope(chosen, regions, chain_row, chains, chosen_period, periods)


def period_name(period: Period) -> str:
    """March 2025, 2025 Q1, 2025 in the reader's language."""
    from babel import dates

    from backend.i18n import babel_locale

    skeleton = {"month": "yMMMM", "quarter": "yQQQ", "year": "y"}[period.kind]
    return dates.format_skeleton(skeleton, period.start, locale=babel_locale())


def _dimensions(scores: ScoresOut | None) -> list[DimensionMetric]:
    found = {d.dimension: d for d in scores.dimensions} if scores else {}
    out = []
    for dimension in Dimension:
        d = found.get(dimension.value)
        components = [] if d is None else [
            ComponentMetric(code=c.code, name=_(COMPONENT_NAMES[c.code]), unit=c.unit, unit_name=_(UNIT_NAMES[c.unit]),
                            higher_is_better=c.higher_is_better, raw_value=_finite(c.raw_value),
                            value=_finite(c.value), target=_finite(c.target),
                            previous_raw_value=_finite(c.previous_raw_value), trend=_finite(c.trend), detail=c.detail)
            for c in d.components]
        waiting = [code for code, (dim, _why) in WAITING.items() if dim == dimension]
        out.append(DimensionMetric(
            code=dimension.value, name=_(DIMENSION_NAMES[dimension.value]),
            value=_finite(d.value) if d else None, trend=_finite(d.trend) if d else None, components=components,
            waiting=[WaitingMetric(code=w, name=_(COMPONENT_NAMES[w])) for w in waiting]))
    return out


def _read(session: Session, region: Region, scope: Scope) -> ScoresOut | None:
    return service.read(session, region.code, scope.period.kind, scope.period.start,
                        chain_id=scope.chain.id if scope.chain else None)


def districts(session: Session, scope: Scope) -> list[DistrictMetric]:
    """The five scores of every district in the scope's chain and period."""
    out = []
    for region in scope.regions[1:]:
        scores = _read(session, region, scope)
        values = {d.code: d.value for d in _dimensions(scores)}
        out.append(DistrictMetric(region_code=region.code, region_name=localized(region), dimensions=values))
    return out


def metrics(session: Session, scope: Scope, *, with_districts: bool = True) -> MetricsOut:
    """Every figure the dashboard shows for a scope, in the reader's language."""
    scores = _read(session, scope.region, scope)
    return MetricsOut(
        region_code=scope.region.code, region_name=localized(scope.region),
        chain=scope.chain.code if scope.chain else None, chain_name=localized(scope.chain) if scope.chain else None,
        period=scope.period.kind, period_start=scope.period.start, period_end=scope.period.end,
        period_name=period_name(scope.period), has_data=scores is not None,
        is_sample=bool(scores and scores.is_sample), dimensions=_dimensions(scores),
        composite=_finite(scores.composite) if scores else None,
        weights=scores.weights if scores else service.load_settings().weights,
        districts=districts(session, scope) if with_districts else [])


def _query(scope: Scope) -> str:
    from urllib.parse import urlencode

    params = {"region": scope.region.code, "chain": scope.chain.code if scope.chain else "",
              "period": scope.period.kind, "at": scope.period.start.isoformat()}
    return urlencode(params)


@router.get("/dashboard")
def dashboard(request: Request, session: Db, region: str | None = None, chain: str | None = None,
              period: str | None = None, at: str | None = None, viewer: Principal = Depends(ANALYST)):
    scope = resolve(session, region, chain, period, at)
    figures = metrics(session, scope)
    return render(
        request, "scores/dashboard.html", figures=figures, query=_query(scope),
        values={"region": scope.region.code, "chain": scope.chain.code if scope.chain else "",
                "period": scope.period.kind, "at": scope.period.start.isoformat()},
        region_options=[(r.code, localized(r)) for r in scope.regions],
        chain_options=[("", _("All chains"))] + [(c.code, localized(c)) for c in scope.chains],
        period_options=[(k, _(PERIOD_NAMES[k])) for k in PERIOD_KINDS],
        at_options=[(p.start.isoformat(), period_name(p)) for p in scope.periods])


@router.get("/dashboard/export")
def dashboard_export(session: Db, region: str | None = None, chain: str | None = None, period: str | None = None,
                     at: str | None = None, table: Literal["components", "districts"] = "components",
                     format: Literal["csv", "xlsx"] = "xlsx", viewer: Principal = Depends(ANALYST)):
    """The dashboard's tables as CSV or XLSX: every component of the five dimensions, or the districts."""
    from backend.exports import table_response

    figures = metrics(session, resolve(session, region, chain, period, at))
    if table == "districts":
        names = [d.name for d in figures.dimensions]
        headers = [_("Region"), *names]
        rows = [[d.region_name, *[d.dimensions.get(dim.code) for dim in figures.dimensions]]
                for d in figures.districts]
    else:
        headers = [_("Dimension"), _("Component"), _("Raw value"), _("Unit"), _("Score (0-100)"),
                   _("Change against the previous period"), _("Period"), _("Region")]
        rows = [[d.name, c.name, c.raw_value, c.unit_name, c.value, c.trend, figures.period_name, figures.region_name]
                for d in figures.dimensions for c in d.components]
    return table_response(f"scores-{table}", format, headers, rows)


def _style() -> Style:
    return Style(font_family=CHART_FONTS, background="white", plot_background="white", title_font_size=18,
                 label_font_size=13, major_label_font_size=13, legend_font_size=13, value_font_size=12)


def _without_scripts(tree):  # noqa: ANN001, ANN202 - an etree element
    """pygal writes its configuration as a script even without interactive JS; a chart needs none."""
    for parent in list(tree.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return tree


def _svg(chart: pygal.graph.graph.Graph) -> Response:
    chart.add_xml_filter(_without_scripts)
    return Response(content=chart.render(), media_type="image/svg+xml",
                    headers={"Content-Security-Policy": SVG_POLICY, "Cache-Control": "private, no-cache"})


def _score_format(value: float | None) -> str:
    return "" if value is None else format_number(round(value, 1))


def radar_chart(figures: MetricsOut) -> pygal.Radar:
    """The five dimension scores of one scope on a 0-100 radar."""
    title = _("The five powers: %(region)s, %(period)s (0–100)", region=figures.region_name,
              period=figures.period_name)
    chart = pygal.Radar(js=[], style=_style(), title=title, range=(0, 100), fill=True, show_legend=False,
                        no_data_text=_("No data yet"), value_formatter=_score_format, width=640, height=520,
                        truncate_label=-1, margin=30)
    chart.x_labels = [d.name for d in figures.dimensions]
    chart.add(_("Score"), [d.value for d in figures.dimensions])
    return chart


def districts_chart(figures: MetricsOut) -> pygal.Bar:
    """The five dimension scores of every district, side by side."""
    title = _("Districts compared: %(period)s (0–100)", period=figures.period_name)
    chart = pygal.Bar(js=[], style=_style(), title=title, range=(0, 100), legend_at_bottom=True,
                      no_data_text=_("No data yet"), value_formatter=_score_format, width=800, height=480,
                      truncate_label=-1, truncate_legend=-1, y_title=_("Score (0–100)"))
    chart.x_labels = [d.region_name for d in figures.districts]
    for dimension in figures.dimensions:
        chart.add(dimension.name, [d.dimensions.get(dimension.code) for d in figures.districts])
    return chart


@router.get("/dashboard/charts/radar.svg")
def radar_svg(session: Db, region: str | None = None, chain: str | None = None, period: str | None = None,
              at: str | None = None, viewer: Principal = Depends(ANALYST)):
    scope = resolve(session, region, chain, period, at)
    return _svg(radar_chart(metrics(session, scope, with_districts=False)))


@router.get("/dashboard/charts/districts.svg")
def districts_svg(session: Db, region: str | None = None, chain: str | None = None, period: str | None = None,
                  at: str | None = None, viewer: Principal = Depends(ANALYST)):
    scope = resolve(session, region, chain, period, at)
    return _svg(districts_chart(metrics(session, scope)))
