"""The five powers computed from the ledger: an incremental update per event and a full recompute.

Both write the same rows: `apply_event` recomputes, from the ledger, every period an event can move (the
periods of its day and of the day its need was posted or its project created) and the trend of the period
after each; `recompute` rebuilds every period. Recomputing by key from the ledger makes a redelivered or
out-of-order task harmless: it writes the same rows again."""

import dataclasses
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.ledger.kinds import EventKind
from backend.scores import repository
from backend.scores.components import (
    BUCKETED,
    BY_CODE,
    COMPONENTS,
    LOCAL,
    WAITING,
    Event,
    Leaf,
    Partial,
    Period,
    Reference,
    Target,
    Value,
    composite,
    dimension_score,
    facts,
    finish_period,
    local_day,
    merge,
    moves,
    need_view,
    normalise,
    period_of,
    periods_of,
)
from backend.scores.models import Dimension
from backend.scores.schemas import ComponentOut, DimensionOut, ScoresOut

TARGETS_FILE = Path(__file__).with_name("targets.yaml")


@dataclass(frozen=True)
class ScoreSettings:
    """The targets file: default targets, per-region overrides, weights and the chain lists."""

    defaults: dict[str, Target]
    regions: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    home_city: str = "330600"
    neighbour_cities: tuple[str, ...] = ("330100", "330200")
    strategic_chains: tuple[str, ...] = ()
    key_tasks: tuple[dict, ...] = ()

    def target(self, region_code: str, component: str, period: Period) -> Target | None:
        """The component's target in this region, scaled by the period's months for counts and values."""
        base = self.defaults.get(component)
        if base is None:
            return None
        override = self.regions.get(region_code, {}).get(component, {})
        target = float(override.get("target", base.target))
        worst = float(override.get("worst", base.worst))
        if BY_CODE[component].per_month:
            target, worst = target * period.months, worst * period.months
        return Target(target, worst)


@cache
def load_settings(path: Path = TARGETS_FILE) -> ScoreSettings:
    """Read the targets file once (docs/scores.md, "Targets")."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    defaults = {code: Target(float(t["target"]), float(t.get("worst", 0))) for code, t in raw["defaults"].items()}
    unknown = set(defaults) - set(BY_CODE)
    if unknown:
        raise ValueError(f"{path.name}: unknown components {sorted(unknown)}")
    return ScoreSettings(
        defaults=defaults, regions={str(k): v for k, v in (raw.get("regions") or {}).items()},
        weights={k: float(w) for k, w in (raw.get("weights") or {}).items()},
        home_city=str(raw.get("home_city", "330600")),
        neighbour_cities=tuple(str(c) for c in raw.get("neighbour_cities", ())),
        strategic_chains=tuple(raw.get("strategic_chains", ())), key_tasks=tuple(raw.get("key_tasks", ())),
    )


def effective_settings(session: Session, settings: ScoreSettings | None = None) -> ScoreSettings:
    """The settings file with the admins' targets per region over it (an admin's target wins)."""
    settings = settings or load_settings()
    found = repository.region_targets(session)
    if not found:
        return settings
    regions = {code: dict(by_component) for code, by_component in settings.regions.items()}
    for code, component, target, worst in found:
        regions.setdefault(code, {})[component] = {"target": target, "worst": worst}
    return dataclasses.replace(settings, regions=regions)


def reference(session: Session, settings: ScoreSettings | None = None) -> tuple[Reference, dict[int, str]]:
    """Regions, organisations and chains as the formulas need them, and region codes by id."""
    settings = settings or load_settings()
    regions = repository.regions(session)
    code_of = {r.id: r.code for r in regions}
    by_code = {r.code: r for r in regions}
    city = by_code[settings.home_city]
    districts = frozenset(r.id for r in regions if r.parent_id == city.id)
    neighbour_cities = {by_code[c].id for c in settings.neighbour_cities if c in by_code}
    neighbours = frozenset(neighbour_cities | {r.id for r in regions if r.parent_id in neighbour_cities})
    chains = repository.chains(session)
    parent = {c.id: c.parent_id for c in chains}
    chain_by_code = {c.code: c.id for c in chains}
    ancestry = {}
    for c in chains:
        line, at = [], c.id
        while at is not None and at not in line:
            line.append(at)
            at = parent.get(at)
        ancestry[c.id] = tuple(line)
    orgs = repository.organisations(session)
    ref = Reference(
        city_id=city.id, district_ids=districts, neighbour_ids=neighbours,
        org_kind={o: kind for o, kind, _r in orgs}, org_region={o: r for o, _k, r in orgs},
        chain_ancestry=ancestry,
        characteristic_chains=frozenset(c.id for c in chains if c.is_characteristic),
        strategic_chains=frozenset(chain_by_code[c] for c in settings.strategic_chains if c in chain_by_code),
        key_tasks=tuple((t["code"], frozenset(chain_by_code[c] for c in t["chains"] if c in chain_by_code))
                        for t in settings.key_tasks),
        chain_ids=tuple(c.id for c in chains), qualified_score=get_settings().qualified_score,
    )
    return ref, code_of


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL).astimezone(UTC)


def _rows(period: Period, values: dict, code_of: dict[int, str], settings: ScoreSettings) -> dict[tuple, dict]:
    """Snapshot rows of one period keyed by (region, chain, dimension, component or None)."""
    rows: dict[tuple, dict] = {}
    for (region_id, chain_id), comps in values.items():
        sample = bool(comps["_sample"].raw)
        by_dimension: dict[Dimension, list[float | None]] = {d: [] for d in Dimension}
        for component in COMPONENTS:
            value: Value = comps[component.code]
            raw = None if value.raw is None else round(float(value.raw), 6)
            target = settings.target(code_of[region_id], component.code, period)
            normalised = normalise(raw, target)
            by_dimension[component.dimension].append(normalised)
            rows[(region_id, chain_id, component.dimension.value, component.code)] = {
                "region_id": region_id, "chain_id": chain_id, "dimension": component.dimension,
                "component": component.code, "period": period.kind, "period_start": period.start,
                "period_end": period.end, "value": normalised, "raw_value": raw,
                "target": None if target is None else target.target, "previous_raw_value": None, "trend": None,
                "detail": value.detail, "is_sample": sample,
            }
        for dimension, normalised_values in by_dimension.items():
            score = dimension_score(normalised_values)
            rows[(region_id, chain_id, dimension.value, None)] = {
                "region_id": region_id, "chain_id": chain_id, "dimension": dimension, "component": None,
                "period": period.kind, "period_start": period.start, "period_end": period.end, "value": score,
                "raw_value": score, "target": None, "previous_raw_value": None, "trend": None,
                "detail": {"components": sum(1 for x in normalised_values if x is not None)}, "is_sample": sample,
            }
    return rows


def _set_trend(row: dict, previous: dict | None) -> None:
    row["previous_raw_value"] = None if previous is None else previous["raw_value"]
    row["trend"] = (None if previous is None or previous["value"] is None or row["value"] is None
                    else round(row["value"] - previous["value"], 2))


def _key(row) -> tuple:  # noqa: ANN001 - a row dict or a ScoreSnapshot
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return (get("region_id"), get("chain_id"), Dimension(get("dimension")).value, get("component"))


def _compute(periods: list[Period], evs: list[Event], ref: Reference, code_of: dict[int, str], as_of: date,
             settings: ScoreSettings) -> dict[Period, dict[tuple, dict]]:
    """The rows of `periods`: each event goes into its month's (region, chain) partial once; a quarter or a
    year merges its months' partials, and `finish_period` merges leaves into scopes."""
    f = facts(evs, ref.qualified_score)
    months = {m for p in periods for m in _months(p)}
    leaves: dict[Period, dict[Leaf, Partial]] = {m: defaultdict(Partial) for m in months}

    def leaf(e: Event) -> Partial | None:
        by_leaf = leaves.get(periods_of(local_day(e.at))[0])
        return None if by_leaf is None else by_leaf[(e.region_id, e.chain_id)]

    for e in evs:
        if e.kind in BUCKETED and (partial := leaf(e)) is not None:
            partial.add_event(e, ref)
    for e in f.need_posted.values():
        if (partial := leaf(e)) is not None:
            partial.add_need(need_view(f, e, as_of), e, ref)
    for e in f.project_created.values():
        if (partial := leaf(e)) is not None:
            partial.add_project(e, f, ref)
    out = {}
    for p in periods:
        if p.kind == "month":
            by_leaf = leaves[p]
        else:
            keys = {key for m in _months(p) for key in leaves[m]}
            by_leaf = {key: merge(leaves[m][key] for m in _months(p) if key in leaves[m]) for key in keys}
        out[p] = _rows(p, finish_period(by_leaf, ref), code_of, settings)
    return out


def _months(p: Period) -> list[Period]:
    """The months of a period (a month itself)."""
    found, day = [], p.start
    while day <= p.end:
        found.append(period_of("month", day))
        day = found[-1].end + timedelta(days=1)
    return found


def recompute(session: Session, *, as_of: date | None = None, settings: ScoreSettings | None = None) -> int:
    """Rebuild every snapshot from the ledger alone; return how many rows were written."""
    settings = effective_settings(session, settings)
    as_of = as_of or local_day(datetime.now(UTC))
    repository.lock(session)
    ref, code_of = reference(session, settings)
    evs = repository.events(session, qualified_score=ref.qualified_score)
    periods = sorted({p for day in {local_day(e.at) for e in evs} for p in periods_of(day)},
                     key=lambda p: (p.kind, p.start))
    computed = _compute(periods, evs, ref, code_of, as_of, settings)
    for p, rows in computed.items():
        previous = computed.get(p.previous(), {})
        for key, row in rows.items():
            _set_trend(row, previous.get(key))
    repository.delete_all(session)
    all_rows = [row for rows in computed.values() for row in rows.values()]
    repository.replace_periods(session, [], all_rows)
    session.flush()
    return len(all_rows)


def affected_days(session: Session, event: Event) -> set[date]:
    """The days whose periods an event can move: its own, and when its need was posted or project created."""
    days = {local_day(event.at)}
    need_id = event.need_id
    if event.project_id is not None:
        created = repository.project_created(session, event.project_id)
        if created is not None:
            days.add(local_day(created[0]))
            if need_id is None and created[1] is not None:
                need_id = repository.need_of_match(session, created[1])
    if need_id is None and event.match_id is not None:
        need_id = repository.need_of_match(session, event.match_id)
    if need_id is not None:
        posted = repository.need_posted_at(session, need_id)
        if posted is not None:
            days.add(local_day(posted))
    return days


def apply_event(session: Session, event_id: int, *, as_of: date | None = None,
                settings: ScoreSettings | None = None) -> int:
    """Update the snapshots one ledger event moves (idempotent); return how many rows were written."""
    return apply_events(session, [event_id], as_of=as_of, settings=settings)


def apply_events(session: Session, event_ids: list[int], *, as_of: date | None = None,
                 settings: ScoreSettings | None = None) -> int:
    """Update the snapshots these ledger events move, in one pass (idempotent; ids that are missing or move
    nothing are skipped); return how many rows were written."""
    settings = effective_settings(session, settings)
    as_of = as_of or local_day(datetime.now(UTC))
    repository.lock(session)
    days: set[date] = set()
    qualified = get_settings().qualified_score
    for event_id in dict.fromkeys(event_ids):
        event = repository.event(session, event_id)
        if event is None or not moves(event.kind):
            continue
        if event.kind == EventKind.MATCH_PROPOSED and not repository.proposal_counts(session, event, qualified):
            continue  # neither its need's first proposal nor its first qualified one: it moves nothing
        days |= affected_days(session, event)
    if not days:
        return 0
    periods = sorted({p for day in days for p in periods_of(day)}, key=lambda p: (p.kind, p.start))
    ref, code_of = reference(session, settings)
    evs = repository.events(session, since=_local_midnight(min(p.start for p in periods)),
                            qualified_score=ref.qualified_score)
    computed = _compute(periods, evs, ref, code_of, as_of, settings)
    for p, rows in computed.items():
        previous = computed.get(p.previous())
        if previous is None:
            previous = repository.period_values(session, p.previous().start, p.previous().end)
        for key, row in rows.items():
            _set_trend(row, previous.get(key))
    repository.replace_periods(session, [(p.start, p.end) for p in computed],
                               [row for rows in computed.values() for row in rows.values()])
    for p, rows in computed.items():
        following = p.next()
        if following in computed:
            continue
        for snapshot in repository.period_rows(session, following.start, following.end):
            row = {"value": snapshot.value}
            _set_trend(row, rows.get(_key(snapshot)))
            snapshot.previous_raw_value, snapshot.trend = row["previous_raw_value"], row["trend"]
    session.flush()
    return sum(len(rows) for rows in computed.values())



def read(session: Session, region_code: str, period_kind: str, day: date, *, chain_id: int | None = None,
         settings: ScoreSettings | None = None) -> ScoresOut | None:
    """The five dimensions of one region, chain and period with their components; None: no data yet."""
    settings = settings or load_settings()
    period = period_of(period_kind, day)
    region_id = repository.region_id(session, region_code)
    found = [] if region_id is None else repository.scope_rows(session, region_id, chain_id, period.start,
                                                                period.end)
    if not found:
        return None
    by_key = {(r.dimension.value, r.component): r for r in found}
    dimensions = []
    for dimension in Dimension:
        head = by_key.get((dimension.value, None))
        components = [
            ComponentOut(code=c.code, unit=c.unit, higher_is_better=c.higher_is_better, raw_value=r.raw_value,
                         value=r.value, target=r.target, previous_raw_value=r.previous_raw_value, trend=r.trend,
                         detail=r.detail)
            for c in COMPONENTS if c.dimension == dimension and (r := by_key.get((dimension.value, c.code)))
        ]
        dimensions.append(DimensionOut(
            dimension=dimension.value, value=head.value if head else None, trend=head.trend if head else None,
            components=components, waiting=[code for code, (d, _why) in WAITING.items() if d == dimension]))
    values = {d.dimension: d.value for d in dimensions}
    return ScoresOut(region_code=region_code, chain_id=chain_id, period=period.kind, period_start=period.start,
                     period_end=period.end, is_sample=any(r.is_sample for r in found), dimensions=dimensions,
                     composite=composite(values, settings.weights), weights=settings.weights)


# Targets per region, set by an admin (docs/scores.md, "Targets per region").

@dataclass(frozen=True)
class TargetRow:
    component: str
    dimension: Dimension
    unit: str
    higher_is_better: bool
    per_month: bool
    default: Target  # the settings file's, for this region
    current: Target  # what applies: the admin's when set, else the default
    by_admin: bool


class InvalidTargets(ValueError):
    """Field errors by input name (`<component>.target`, `<component>.worst`), as error codes."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def _file_target(settings: ScoreSettings, region_code: str, component: str) -> Target:
    base = settings.defaults[component]
    override = settings.regions.get(region_code, {}).get(component, {})
    return Target(float(override.get("target", base.target)), float(override.get("worst", base.worst)))


def targets(session: Session, region_code: str) -> list[TargetRow]:
    """Every component's target in a region: the settings file's and what applies (monthly for counts)."""
    file_settings = load_settings()
    admin = {(code, component): Target(t, w) for code, component, t, w in repository.region_targets(session)}
    rows = []
    for c in COMPONENTS:
        if c.code not in file_settings.defaults:
            continue
        default = _file_target(file_settings, region_code, c.code)
        mine = admin.get((region_code, c.code))
        rows.append(TargetRow(component=c.code, dimension=c.dimension, unit=c.unit, higher_is_better=c.higher_is_better,
                              per_month=c.per_month, default=default, current=mine or default,
                              by_admin=mine is not None))
    return rows


def check_target(component: str, target_text: str, worst_text: str) -> tuple[Target | None, dict[str, str]]:
    """Parse and check one component's two numbers; return the target or error codes by input name:
    `missing`, `not_a_number`, `negative`, `over_100`, `not_above_worst`, `not_below_worst`."""
    spec = BY_CODE[component]
    errors: dict[str, str] = {}
    numbers: dict[str, float] = {}
    for name, text_value in (("target", target_text), ("worst", worst_text)):
        key = f"{component}.{name}"
        raw = (text_value or "").strip().replace(",", "")
        if not raw:
            errors[key] = "missing"
            continue
        try:
            number = float(raw)
        except ValueError:
            errors[key] = "not_a_number"
            continue
        if not math.isfinite(number):
            errors[key] = "not_a_number"
        elif number < 0:
            errors[key] = "negative"
        elif spec.unit == "percent" and number > 100:
            errors[key] = "over_100"
        else:
            numbers[name] = number
    if errors:
        return None, errors
    target, worst = numbers["target"], numbers["worst"]
    if spec.higher_is_better and target <= worst:
        return None, {f"{component}.target": "not_above_worst"}
    if not spec.higher_is_better and target >= worst:
        return None, {f"{component}.target": "not_below_worst"}
    return Target(target, worst), {}


def set_targets(session: Session, region_code: str, submitted: dict[str, tuple[str, str]], *,
                by_user_id: int | None) -> list[str]:
    """Store an admin's targets for a region (`submitted`: component -> (target, worst) as typed), one ledger
    event per changed component, and renormalise the region's snapshots; return the changed components.
    A value equal to the settings file's removes the admin's row. Raises `InvalidTargets` and writes nothing
    when any number is wrong."""
    from backend.ledger import service as ledger
    from backend.ledger.kinds import EventKind
    from backend.scores.models import RegionTarget

    region_id = repository.region_id(session, region_code)
    if region_id is None or region_code not in home_region_codes(session):
        raise InvalidTargets({"region": "unknown_region"})
    current = {row.component: row for row in targets(session, region_code)}
    parsed: dict[str, Target] = {}
    errors: dict[str, str] = {}
    for component, (target_text, worst_text) in submitted.items():
        if component not in current:
            errors[component] = "unknown_component"
            continue
        value, problems = check_target(component, target_text, worst_text)
        errors.update(problems)
        if value is not None:
            parsed[component] = value
    if errors:
        raise InvalidTargets(errors)
    changed = []
    for component, value in parsed.items():
        row = current[component]
        if value == row.current:
            continue
        stored = repository.region_target(session, region_id, component)
        back_to_file = value == row.default
        if back_to_file:
            session.delete(stored)
        elif stored is None:
            session.add(RegionTarget(region_id=region_id, component=component, target=value.target,
                                     worst=value.worst, updated_by_id=by_user_id))
        else:
            stored.target, stored.worst, stored.updated_by_id = value.target, value.worst, by_user_id
        ledger.record(session, EventKind.SCORE_TARGET_SET, region_id=region_id, data={
            "region_code": region_code, "component": component,
            "before": {"target": row.current.target, "worst": row.current.worst},
            "target": None if back_to_file else value.target, "worst": None if back_to_file else value.worst,
            "by_user_id": by_user_id})
        changed.append(component)
    if changed:
        session.flush()
        renormalise(session, region_code, changed)
    return changed


def home_region_codes(session: Session) -> list[str]:
    """The scored regions: the home city, then its districts."""
    settings = load_settings()
    regions = repository.regions(session)
    city = next((r for r in regions if r.code == settings.home_city), None)
    if city is None:
        return []
    return [city.code, *sorted(r.code for r in regions if r.parent_id == city.id)]


def renormalise(session: Session, region_code: str, components: list[str],
                settings: ScoreSettings | None = None) -> int:
    """Normalise a region's stored raw values of `components` against the targets that apply now, and
    refresh their dimensions' scores and every trend they feed (no ledger read); return rows changed."""
    settings = effective_settings(session, settings)
    region_id = repository.region_id(session, region_code)
    dimensions = sorted({BY_CODE[c].dimension for c in components}, key=lambda d: d.value)
    rows = repository.region_dimension_rows(session, region_id, dimensions)
    by_key = {(r.chain_id, r.dimension, r.component, r.period, r.period_start): r for r in rows}
    new_value: dict[int, float | None] = {}
    for r in rows:
        if r.component in components:
            target = settings.target(region_code, r.component, Period(r.period, r.period_start, r.period_end))
            new_value[r.id] = normalise(r.raw_value, target)
            if target is not None and r.target != target.target:
                r.target = target.target
    for r in rows:
        if r.component is None:
            members = [by_key.get((r.chain_id, r.dimension, c.code, r.period, r.period_start))
                       for c in COMPONENTS if c.dimension == r.dimension]
            new_value[r.id] = dimension_score([new_value.get(m.id, m.value) for m in members if m is not None])
    changed = 0
    for r in rows:
        value = new_value.get(r.id, r.value)
        previous = by_key.get((r.chain_id, r.dimension, r.component, r.period,
                               Period(r.period, r.period_start, r.period_end).previous().start))
        previous_value = None if previous is None else new_value.get(previous.id, previous.value)
        trend = None if previous is None or previous_value is None or value is None else round(
            value - previous_value, 2)
        if r.value != value or r.trend != trend:
            r.value, r.trend = value, trend
            changed += 1
        if r.component is None:
            r.raw_value = value
            r.previous_raw_value = previous_value if previous is not None else None
    session.flush()
    return changed
