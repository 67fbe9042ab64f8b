"""The government dashboard: the five powers of a region, chain and period, their components and two charts.

Read-only and for government analysts (and admins). The figures come from `service.read`, the same rows the
JSON under `/api/v1/metrics` returns; the charts are SVG files rendered on the server by pygal, each served from
its own route (the page's policy forbids the inline styles an SVG carries) and shown with a data table beside."""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from urllib.parse import urlencode

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
from backend.scores import repository, service
from backend.scores.components import FUNNEL, PERIOD_KINDS, WAITING, Period, local_day, period_of
from backend.scores.models import Dimension, ScoreSnapshot
from backend.scores.schemas import ScoresOut
from backend.web import Db, PageQuery, page_args, render

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


class TrendPoint(BaseModel):
    period_start: date
    period_name: str
    dimensions: dict[str, float | None]  # dimension code -> 0-100 score, None: no data yet


class FunnelStep(BaseModel):
    code: str  # posted, matched, responded, accepted, project, completed, commercialised
    name: str
    needs: int  # needs of the period's cohort that reached this stage by now
    conversion: float | None  # percent of the previous stage's needs; None for the first stage or from zero
    median_days: float | None  # median days from the previous stage


class ChainMetric(BaseModel):
    chain: str
    chain_name: str
    dimensions: dict[str, float | None]
    accepted_matches: float | None
    joint_projects: float | None


class CountryMetric(BaseModel):
    country_code: str
    country_name: str
    partnerships: int
    value_cny: float


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
    trends: list[TrendPoint] = []  # the five scores over the last periods of this kind, oldest first
    funnel: list[FunnelStep] = []  # the cohort of needs posted in the period, stage by stage
    chains: list[ChainMetric] = []  # every chain (below the root) with data in this region and period
    countries: list[CountryMetric] = []  # foreign partnerships recorded in the period, by partner country


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
    found = repository.dimension_scores(session, [r.id for r in scope.regions[1:]],
                                        scope.chain.id if scope.chain else None, scope.period.start, scope.period.end)
    return [DistrictMetric(region_code=region.code, region_name=localized(region),
                           dimensions={d.value: _finite(found.get(region.id, {}).get(d.value)) for d in Dimension})
            for region in scope.regions[1:]]


def metrics(session: Session, scope: Scope, *, with_districts: bool = True, full: bool = True) -> MetricsOut:
    """Every figure the dashboard shows for a scope, in the reader's language (`full`: with the trends,
    funnel, chains and countries)."""
    scores = _read(session, scope.region, scope)
    dimensions = _dimensions(scores)
    return MetricsOut(
        region_code=scope.region.code, region_name=localized(scope.region),
        chain=scope.chain.code if scope.chain else None, chain_name=localized(scope.chain) if scope.chain else None,
        period=scope.period.kind, period_start=scope.period.start, period_end=scope.period.end,
        period_name=period_name(scope.period), has_data=scores is not None,
        is_sample=bool(scores and scores.is_sample), dimensions=dimensions,
        composite=_finite(scores.composite) if scores else None,
        weights=scores.weights if scores else service.load_settings().weights,
        districts=districts(session, scope) if with_districts else [],
        trends=trends(session, scope) if full else [], funnel=funnel(dimensions) if full else [],
        chains=chain_breakdown(session, scope) if full else [],
        countries=countries(session, dimensions) if full else [])


TREND_LENGTH = {"month": 12, "quarter": 8, "year": 5}
FUNNEL_NAMES = {
    "posted": lazy("Need posted"), "matched": lazy("Matched"), "responded": lazy("Responded"),
    "accepted": lazy("Accepted"), "project": lazy("Joint project"), "completed": lazy("Completed"),
    "commercialised": lazy("Commercialised"),
}


def short_period_name(period: Period) -> str:
    """Mar 2025, Q1 2025, 2025: a chart's axis label."""
    from babel import dates

    from backend.i18n import babel_locale

    skeleton = {"month": "yMMM", "quarter": "yQQQ", "year": "y"}[period.kind]
    return dates.format_skeleton(skeleton, period.start, locale=babel_locale())


def trends(session: Session, scope: Scope) -> list[TrendPoint]:
    """The five scores of the scope's region and chain over the last periods up to the chosen one."""
    periods = [scope.period]
    for _step in range(TREND_LENGTH[scope.period.kind] - 1):
        periods.append(periods[-1].previous())
    periods.reverse()
    found: dict[date, dict[str, float | None]] = {}
    for start, dimension, value, _sample in repository.dimension_series(
            session, scope.region.id, scope.chain.id if scope.chain else None, scope.period.kind,
            periods[0].start, periods[-1].start):
        found.setdefault(start, {})[dimension] = _finite(value)
    if not found:
        return []
    return [TrendPoint(period_start=p.start, period_name=short_period_name(p),
                       dimensions={d.value: found.get(p.start, {}).get(d.value) for d in Dimension})
            for p in periods]


def _component(dimensions: list[DimensionMetric], code: str) -> ComponentMetric | None:
    return next((c for d in dimensions for c in d.components if c.code == code), None)


def funnel(dimensions: list[DimensionMetric]) -> list[FunnelStep]:
    """Need → matched → … → commercialised for the needs posted in the period, with the conversion at each step
    (the `detail` of the `need_to_project_conversion` component, docs/scores.md)."""
    component = _component(dimensions, "need_to_project_conversion")
    detail = component.detail if component else {}
    reached = detail.get("reached") or {}
    if not reached.get("posted"):
        return []
    conversion, median = detail.get("conversion") or {}, detail.get("median_days") or {}
    steps, previous = [], None
    for code in FUNNEL:
        key = f"{previous}_to_{code}" if previous else None
        steps.append(FunnelStep(code=code, name=_(FUNNEL_NAMES[code]), needs=int(reached.get(code) or 0),
                                conversion=_finite(conversion.get(key)) if key else None,
                                median_days=_finite(median.get(key)) if key else None))
        previous = code
    return steps


def chain_breakdown(session: Session, scope: Scope) -> list[ChainMetric]:
    """The five scores, accepted matches and joint projects of every chain below the root in the scope's region
    and period (whatever chain is chosen)."""
    rows: dict[int, dict] = {}
    for chain_id, dimension, component, value, raw_value in repository.chain_breakdown(
            session, scope.region.id, scope.period.start, scope.period.end, ("accepted_matches", "joint_projects")):
        row = rows.setdefault(chain_id, {"dimensions": {}, "accepted_matches": None, "joint_projects": None})
        if component is None:
            row["dimensions"][dimension] = _finite(value)
        else:
            row[component] = _finite(raw_value)
    return [ChainMetric(chain=c.code, chain_name=localized(c),
                        dimensions={d.value: rows[c.id]["dimensions"].get(d.value) for d in Dimension},
                        accepted_matches=rows[c.id]["accepted_matches"], joint_projects=rows[c.id]["joint_projects"])
            for c in scope.chains if c.parent_id is not None and c.id in rows]


def countries(session: Session, dimensions: list[DimensionMetric]) -> list[CountryMetric]:
    """Foreign partnerships of the period by partner country, most first (the `foreign_partnerships` detail)."""
    component = _component(dimensions, "foreign_partnerships")
    by_country = (component.detail if component else {}).get("by_country") or {}
    names = repository.regions_by_code(session, list(by_country))
    out = [CountryMetric(country_code=code, country_name=localized(names[code]) if code in names else code,
                         partnerships=int(row.get("count") or 0), value_cny=float(row.get("value_cny") or 0))
           for code, row in by_country.items()]
    return sorted(out, key=lambda c: (-c.partnerships, -c.value_cny, c.country_code))


def _query(scope: Scope) -> str:
    params = {"region": scope.region.code, "chain": scope.chain.code if scope.chain else "",
              "period": scope.period.kind, "at": scope.period.start.isoformat()}
    return urlencode(params)


@router.get("/dashboard")
def dashboard(request: Request, session: Db, region: str | None = None, chain: str | None = None,
              period: str | None = None, at: str | None = None, viewer: Principal = Depends(ANALYST)):
    scope = resolve(session, region, chain, period, at)
    figures = metrics(session, scope)
    lists = {name: drilldown(session, viewer, scope, name, limit=DASHBOARD_LIST) for name in LIST_NAMES}
    return render(
        request, "scores/dashboard.html", figures=figures, query=_query(scope), lists=lists, as_of=as_of(scope),
        list_captions={name: _(words) for name, words in LIST_NAMES.items()},
        brief_query=urlencode({"region": scope.region.code, "chain": scope.chain.code if scope.chain else "",
                               "period": scope.period.start.strftime("%Y-%m")}),
        values={"region": scope.region.code, "chain": scope.chain.code if scope.chain else "",
                "period": scope.period.kind, "at": scope.period.start.isoformat()},
        region_options=[(r.code, localized(r)) for r in scope.regions],
        chain_options=[("", _("All chains"))] + [(c.code, localized(c)) for c in scope.chains],
        period_options=[(k, _(PERIOD_NAMES[k])) for k in PERIOD_KINDS],
        at_options=[(p.start.isoformat(), period_name(p)) for p in scope.periods])


ExportTable = Literal["components", "districts", "trends", "funnel", "chains", "countries", "stale_needs",
                      "stalled_projects", "partnerships"]


@router.get("/dashboard/export")
def dashboard_export(session: Db, region: str | None = None, chain: str | None = None, period: str | None = None,
                     at: str | None = None, table: ExportTable = "components",
                     format: Literal["csv", "xlsx"] = "xlsx", viewer: Principal = Depends(ANALYST)):
    """Every table of the dashboard as CSV or XLSX: the components of the five dimensions, the districts, the
    trends, the funnel, the chains, the partner countries and the three drill-down lists (in full)."""
    from backend.exports import MAX_ROWS, table_response

    scope = resolve(session, region, chain, period, at)
    if table in LIST_NAMES:
        headers, rows = _list_table(session, viewer, scope, table, MAX_ROWS)
        return table_response(f"scores-{table}", format, headers, rows)
    figures = metrics(session, scope, with_districts=table == "districts", full=table != "components")
    names = [d.name for d in figures.dimensions]
    if table == "districts":
        headers = [_("Region"), *names]
        rows = [[d.region_name, *[d.dimensions.get(dim.code) for dim in figures.dimensions]]
                for d in figures.districts]
    elif table == "trends":
        headers = [_("Period"), _("Period start"), *names]
        rows = [[t.period_name, t.period_start, *[t.dimensions.get(dim.code) for dim in figures.dimensions]]
                for t in figures.trends]
    elif table == "funnel":
        headers = [_("Stage"), _("Needs"), _("Conversion from the previous stage (%)"),
                   _("Median days from the previous stage")]
        rows = [[s.name, s.needs, s.conversion, s.median_days] for s in figures.funnel]
    elif table == "chains":
        headers = [_("Industry chain"), *names, _("Accepted matches"), _("Joint projects")]
        rows = [[c.chain_name, *[c.dimensions.get(dim.code) for dim in figures.dimensions], c.accepted_matches,
                 c.joint_projects] for c in figures.chains]
    elif table == "countries":
        headers = [_("Partner country"), _("Partnerships"), _("Value (yuan)")]
        rows = [[c.country_name, c.partnerships, c.value_cny] for c in figures.countries]
    else:
        headers = [_("Dimension"), _("Component"), _("Raw value"), _("Unit"), _("Score (0-100)"),
                   _("Change against the previous period"), _("Period"), _("Region")]
        rows = [[d.name, c.name, c.raw_value, c.unit_name, c.value, c.trend, figures.period_name, figures.region_name]
                for d in figures.dimensions for c in d.components]
    return table_response(f"scores-{table}", format, headers, rows)


def _list_table(session: Session, viewer: Principal, scope: Scope, name: str, limit: int,
                ) -> tuple[list[str], list[list]]:
    """A drill-down list as export rows, with the same redaction as the page."""
    found, _total = drilldown(session, viewer, scope, name, limit=limit)
    if name == "stale_needs":
        headers = [_("Id"), _("Need"), _("Summary"), _("Firm"), _("Industry chain"), _("Region"), _("Posted"),
                   _("First response"), _("Status"), _("Address")]
        rows = [[n.id, n.title or _("confidential: summary only"), n.summary, n.organisation, n.chain_name,
                 n.region_name, n.posted_at, n.first_response_at, n.status, f"/needs/{n.id}"] for n in found]
    elif name == "stalled_projects":
        headers = [_("Id"), _("Project"), _("Summary"), _("Industry chain"), _("Region"), _("Status"), _("Created"),
                   _("Last milestone done"), _("Days without a milestone")]
        rows = [[p.id, p.title or _("confidential: summary only"), p.summary, p.chain_name, p.region_name, p.status,
                 p.created_at, p.last_milestone_at, p.idle_days] for p in found]
    else:
        headers = [_("Id"), _("Local organisation"), _("Foreign partner"), _("Partner country"), _("Kind"),
                   _("Value (yuan)"), _("Started"), _("Recorded")]
        rows = [[p.id, p.local_organisation, p.foreign_organisation, p.country_name, p.kind, p.value_cny,
                 p.started_on, p.recorded_at] for p in found]
    return headers, rows


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
    chart.add(_("Score (0–100)"), [d.value for d in figures.dimensions])
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
    return _svg(radar_chart(metrics(session, scope, with_districts=False, full=False)))


@router.get("/dashboard/charts/districts.svg")
def districts_svg(session: Db, region: str | None = None, chain: str | None = None, period: str | None = None,
                  at: str | None = None, viewer: Principal = Depends(ANALYST)):
    scope = resolve(session, region, chain, period, at)
    return _svg(districts_chart(metrics(session, scope, full=False)))


def _count_format(value: float | None) -> str:
    return "" if value is None else format_number(round(value))


def _whole_ticks(values: list[float]) -> list[int]:
    """Whole-number ticks of a count axis (pygal would put 0.2, 0.4… between 0 and 1)."""
    top = max([1, *[math.ceil(v) for v in values]])
    step = max(1, math.ceil(top / 8))
    return list(range(0, top + step, step))


def trends_chart(figures: MetricsOut) -> pygal.Line:
    """The five scores over the last periods, one line each (a gap where a period has no data)."""
    title = _("The five powers over time: %(region)s (0–100)", region=figures.region_name)
    chart = pygal.Line(js=[], style=_style(), title=title, range=(0, 100), legend_at_bottom=True,
                       no_data_text=_("No data yet"), value_formatter=_score_format, width=800, height=480,
                       truncate_label=-1, truncate_legend=-1, x_title=_("Period"), y_title=_("Score (0–100)"),
                       x_label_rotation=30, allow_interruptions=True)
    chart.x_labels = [t.period_name for t in figures.trends]
    for dimension in figures.dimensions:
        chart.add(dimension.name, [t.dimensions.get(dimension.code) for t in figures.trends])
    return chart


def funnel_chart(figures: MetricsOut) -> pygal.Bar:
    """How many of the period's needs reached each stage, from posted to commercialised."""
    title = _("From need to commercialisation: needs posted in %(period)s", period=figures.period_name)
    chart = pygal.Bar(js=[], style=_style(), title=title, show_legend=False, no_data_text=_("No data yet"),
                      value_formatter=_count_format, width=800, height=440, truncate_label=-1, print_values=True,
                      x_title=_("Stage"), y_title=_("Needs (number)"))
    chart.x_labels = [step.name for step in figures.funnel]
    chart.y_labels = _whole_ticks([step.needs for step in figures.funnel])
    chart.add(_("Needs"), [step.needs for step in figures.funnel])
    return chart


def chains_chart(figures: MetricsOut) -> pygal.HorizontalBar:
    """The five scores of every industry chain, side by side."""
    title = _("Industry chains compared: %(region)s, %(period)s (0–100)", region=figures.region_name,
              period=figures.period_name)
    chart = pygal.HorizontalBar(js=[], style=_style(), title=title, range=(0, 100), legend_at_bottom=True,
                                no_data_text=_("No data yet"), value_formatter=_score_format, width=800,
                                height=max(420, 140 + 70 * len(figures.chains)), truncate_label=-1,
                                truncate_legend=-1, y_title=_("Score (0–100)"))
    chart.x_labels = [c.chain_name for c in figures.chains]
    for dimension in figures.dimensions:
        chart.add(dimension.name, [c.dimensions.get(dimension.code) for c in figures.chains])
    return chart


def countries_chart(figures: MetricsOut) -> pygal.Bar:
    """Foreign partnerships of the period by partner country."""
    title = _("Foreign partnerships by country: %(region)s, %(period)s", region=figures.region_name,
              period=figures.period_name)
    chart = pygal.Bar(js=[], style=_style(), title=title, show_legend=False, no_data_text=_("No data yet"),
                      value_formatter=_count_format, width=800, height=420, truncate_label=-1, print_values=True,
                      x_title=_("Partner country"), y_title=_("Partnerships (number)"))
    chart.x_labels = [c.country_name for c in figures.countries]
    chart.y_labels = _whole_ticks([c.partnerships for c in figures.countries])
    chart.add(_("Partnerships"), [c.partnerships for c in figures.countries])
    return chart


CHARTS = {"trends": trends_chart, "funnel": funnel_chart, "chains": chains_chart, "countries": countries_chart}


@router.get("/dashboard/charts/{name}.svg")
def figure_svg(session: Db, name: Literal["trends", "funnel", "chains", "countries"], region: str | None = None,
               chain: str | None = None, period: str | None = None, at: str | None = None,
               viewer: Principal = Depends(ANALYST)):
    """The trends, funnel, chain and country charts of the dashboard."""
    scope = resolve(session, region, chain, period, at)
    return _svg(CHARTS[name](metrics(session, scope, with_districts=False)))



# Drill-down lists: stale needs, stalled projects and recent partnerships of the chosen scope.

STALLED_DAYS = 60
LIST_PAGE = 20
DASHBOARD_LIST = 5
LIST_NAMES = {"stale_needs": lazy("Stale needs"), "stalled_projects": lazy("Stalled projects"),
              "partnerships": lazy("Recent foreign partnerships")}
ListName = Literal["stale_needs", "stalled_projects", "partnerships"]


class NeedRow(BaseModel):
    id: int
    title: str | None  # None: a confidential need the viewer may not read (its summary stands instead)
    summary: str | None
    organisation: str | None
    chain_name: str
    region_name: str
    posted_at: datetime
    first_response_at: datetime | None
    status: str
    is_sample: bool


class ProjectRow(BaseModel):
    id: int
    title: str | None  # None: the project of a confidential need the viewer may not read
    summary: str | None
    chain_name: str
    region_name: str
    status: str
    created_at: datetime
    last_milestone_at: datetime | None
    idle_days: int  # days without a milestone done (since creation when none was)
    is_sample: bool


class PartnershipRow(BaseModel):
    id: int
    local_organisation: str
    foreign_organisation: str
    country_name: str
    kind: str
    value_cny: float
    started_on: date
    recorded_at: datetime
    is_sample: bool


def _local_midnight(day: date) -> datetime:
    from backend.scores.components import LOCAL

    return datetime.combine(day, datetime.min.time(), LOCAL).astimezone(UTC)


def _region_ids(scope: Scope) -> list[int]:
    """The ledger regions counted for the scope's region: a district itself; the city with its districts."""
    return [r.id for r in scope.regions] if scope.region.id == scope.regions[0].id else [scope.region.id]


def _chain_ids(scope: Scope) -> list[int] | None:
    """The chosen chain and every chain below it (None: every chain)."""
    if scope.chain is None:
        return None
    found, frontier = [scope.chain.id], [scope.chain.id]
    while frontier:
        frontier = [c.id for c in scope.chains if c.parent_id in frontier and c.id not in found]
        found += frontier
    return found


def as_of(scope: Scope) -> date:
    """The day the lists are judged on: the period's last day, or today for the current period."""
    return min(scope.period.end, local_day(datetime.now(UTC)))


def _names(session: Session, scope: Scope, region_ids: set[int]) -> tuple[dict[int, str], dict[int, str]]:
    regions = {i: localized(r) for i, r in repository.regions_by_id(session, region_ids).items()}
    return regions, {c.id: localized(c) for c in scope.chains}


def stale_needs(session: Session, viewer: Principal, scope: Scope, *, limit: int | None,
                offset: int = 0) -> tuple[list[NeedRow], int]:
    """The needs of the period's cohort with no response within 14 days, as the viewer may see them: the
    summary, not the title, text or firm, of a confidential need the viewer may not read."""
    from backend import access
    from backend.labels import label
    from backend.scores.components import STALE_DAYS

    today = local_day(datetime.now(UTC))  # judged like the score: once 14 days have passed, whatever the period
    found, total = repository.stale_needs(
        session, _region_ids(scope), _chain_ids(scope), _local_midnight(scope.period.start),
        _local_midnight(scope.period.end + timedelta(days=1)),
        _local_midnight(today - timedelta(days=STALE_DAYS - 1)), access.visible_needs_clause(viewer),
        limit=limit, offset=offset)
    regions, chains = _names(session, scope, {n.region_id or n.organisation.region_id for n, *_rest in found} - {None})
    rows = []
    for need, posted_at, replied_at in found:
        readable = access.can_read_need(session, viewer, need)
        rows.append(NeedRow(
            id=need.id, title=need.title if readable else None, summary=None if readable else need.summary,
            organisation=need.organisation.name if readable else None, chain_name=chains.get(need.chain_id, ""),
            region_name=regions.get(need.region_id or need.organisation.region_id, ""), posted_at=posted_at,
            first_response_at=replied_at, status=label(need.status), is_sample=need.is_sample))
    return rows, total


def stalled_projects(session: Session, viewer: Principal, scope: Scope, *, limit: int | None,
                     offset: int = 0) -> tuple[list[ProjectRow], int]:
    """Unfinished projects with no milestone done in the 60 days up to the period's end (or today); a project
    of a confidential need the viewer may not read shows the need's summary instead of its title."""
    from backend import access
    from backend.labels import label

    day = as_of(scope)
    until = _local_midnight(day + timedelta(days=1))
    found, total = repository.stalled_projects(session, _region_ids(scope), _chain_ids(scope),
                                               until - timedelta(days=STALLED_DAYS), until, limit=limit,
                                               offset=offset)
    needs = repository.need_of_projects(session, [p.id for p, *_rest in found])
    regions, chains = _names(session, scope, {p.region_id for p, *_rest in found})
    rows = []
    for project, created_at, last_done in found:
        need = needs.get(project.id)
        readable = need is None or access.can_read_need(session, viewer, need)
        idle_since = last_done or created_at
        rows.append(ProjectRow(
            id=project.id, title=project.title if readable else None, summary=None if readable else need.summary,
            chain_name=chains.get(project.chain_id, ""), region_name=regions.get(project.region_id, ""),
            status=label(project.status), created_at=created_at, last_milestone_at=last_done,
            idle_days=max(0, (until - idle_since).days), is_sample=project.is_sample))
    return rows, total


def recent_partnerships(session: Session, scope: Scope, *, limit: int | None,
                        offset: int = 0) -> tuple[list[PartnershipRow], int]:
    """Foreign partnerships recorded in the period, newest first."""
    from backend.labels import label

    found, total = repository.partnerships(
        session, _region_ids(scope), _chain_ids(scope), _local_midnight(scope.period.start),
        _local_midnight(scope.period.end + timedelta(days=1)), limit=limit, offset=offset)
    countries = repository.regions_by_code(session, sorted({p.country_code for p, _at in found}))
    rows = [PartnershipRow(
        id=p.id, local_organisation=p.local_organisation.name, foreign_organisation=p.foreign_organisation.name,
        country_name=localized(countries[p.country_code]) if p.country_code in countries else p.country_code,
        kind=label(p.kind), value_cny=float(p.value_cny or 0), started_on=p.started_on, recorded_at=at,
        is_sample=p.is_sample) for p, at in found]
    return rows, total


def drilldown(session: Session, viewer: Principal, scope: Scope, name: str, *, limit: int | None,
              offset: int = 0) -> tuple[list, int]:
    if name == "stale_needs":
        return stale_needs(session, viewer, scope, limit=limit, offset=offset)
    if name == "stalled_projects":
        return stalled_projects(session, viewer, scope, limit=limit, offset=offset)
    return recent_partnerships(session, scope, limit=limit, offset=offset)


@router.get("/dashboard/lists/{name}")
def dashboard_list(request: Request, session: Db, name: ListName, page: PageQuery = 1, region: str | None = None,
                   chain: str | None = None, period: str | None = None, at: str | None = None,
                   viewer: Principal = Depends(ANALYST)):
    """One drill-down list of the dashboard's scope, page by page."""
    scope = resolve(session, region, chain, period, at)
    limit, offset = page_args(page, LIST_PAGE)
    rows, total = drilldown(session, viewer, scope, name, limit=limit, offset=offset)
    query = _query(scope)
    return render(request, "scores/list.html", name=name, title=_(LIST_NAMES[name]), rows=rows, total=total,
                  page=page, per_page=limit, query=query, base_url=f"/dashboard/lists/{name}?{query}",
                  scope_text=_scope_text(scope), as_of=as_of(scope))


def _scope_text(scope: Scope) -> str:
    return " · ".join([localized(scope.region), localized(scope.chain) if scope.chain else _("All chains"),
                       period_name(scope.period)])



# The printable monthly brief: what moved, what is stuck, which alerts are open (backend.alerts).

BRIEF_TOP = 5


class Movement(BaseModel):
    dimension: str
    component: ComponentMetric


def _month(value: str) -> date:
    import re

    found = re.fullmatch(r"(\d{4})-(\d{2})", value.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
        raise InvalidInput(_("The month of a brief is written YYYY-MM, for example 2025-03."), field="period")
    return date(int(found.group(1)), int(found.group(2)), 1)


def movements(figures: MetricsOut, top: int = BRIEF_TOP) -> list[Movement]:
    """The components that changed most against the previous period (in points of their 0–100 score)."""
    moved = [Movement(dimension=d.name, component=c) for d in figures.dimensions for c in d.components
             if c.trend is not None and c.trend != 0]
    return sorted(moved, key=lambda m: (-abs(m.component.trend or 0), m.component.code))[:top]


ALERT_NAMES = {"stale_need": lazy("Stale need"), "stalled_project": lazy("Stalled project"),
               "chain_gap": lazy("Chain with open needs and no active capability"),
               "score_drop": lazy("Score drop")}


class AlertRow(BaseModel):
    id: int
    kind: str
    region_name: str
    chain_name: str
    raised_at: datetime
    assigned: bool


def open_alerts(session: Session, scope: Scope) -> list[AlertRow]:
    """The open alerts of the scope's region (with its districts for the city) and chain, newest first; alerts
    about no region (a chain without capabilities) count everywhere."""
    from backend.alerts import repository as alerts

    region_ids, chain_ids = set(_region_ids(scope)), _chain_ids(scope)
    kept = [a for a in alerts.open_alerts(session) if a.region_id in region_ids | {None}
            and (chain_ids is None or a.chain_id in chain_ids)]
    regions, chains = _names(session, scope, {a.region_id for a in kept} - {None})
    kept.sort(key=lambda a: (a.raised_at, a.id), reverse=True)
    return [AlertRow(id=a.id, kind=_(ALERT_NAMES[a.kind.value]) if a.kind.value in ALERT_NAMES else a.kind.value,
                     region_name=regions.get(a.region_id, ""), chain_name=chains.get(a.chain_id, ""),
                     raised_at=a.raised_at, assigned=a.assignee_id is not None) for a in kept]


@router.get("/dashboard/brief")
def brief(request: Request, session: Db, region: str | None = None, chain: str | None = None,
          period: str | None = None, viewer: Principal = Depends(ANALYST)):
    """The monthly brief of a region (`period=YYYY-MM`, the latest month with data by default), ready to print."""
    month = _month(period) if period else None
    scope = resolve(session, region, chain, "month", month.isoformat() if month else None)
    figures = metrics(session, scope, with_districts=False, full=False)
    stale, stale_total = stale_needs(session, viewer, scope, limit=BRIEF_TOP)
    stalled, stalled_total = stalled_projects(session, viewer, scope, limit=BRIEF_TOP)
    return render(request, "scores/brief.html", figures=figures, moved=movements(figures), stale=stale,
                  stale_total=stale_total, stalled=stalled, stalled_total=stalled_total,
                  alerts=open_alerts(session, scope), query=_query(scope), as_of=as_of(scope),
                  previous_name=period_name(scope.period.previous()), scope_text=_scope_text(scope),
                  month=scope.period.start.strftime("%Y-%m"))



# The public landing page's headline figures: the latest city-level month, from the same snapshots.

class Headline(BaseModel):
    region_name: str
    period_name: str
    is_sample: bool
    dimensions: list[DimensionMetric]
    composite: float | None


def headline(session: Session) -> Headline | None:
    """The five scores of the home city over every chain in the latest month with snapshots; None: no data yet."""
    regions = _home_regions(session)
    if not regions:
        return None
    start = repository.latest_start(session, regions[0].id, "month")
    if start is None:
        return None
    scores = service.read(session, regions[0].code, "month", start)
    if scores is None:
        return None
    return Headline(region_name=localized(regions[0]), period_name=period_name(period_of("month", start)),
                    is_sample=scores.is_sample, dimensions=_dimensions(scores), composite=_finite(scores.composite))
