"""The five powers computed from the ledger: an incremental update per event and a full recompute.

Both end in the same rows: `recompute` rebuilds every period from the ledger alone, and with it the stored
partials and facts; `apply_events` counts new events into those partials by delta (`partials.Update`) and
rewrites the snapshot rows whose values moved, with their trends and those of the period after. Events already
counted are skipped, and facts are minima and latest values, so a redelivered or out-of-order task is
harmless (docs/scores.md, "Computation")."""

import dataclasses
import gc
import math
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
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
    READ_BY,
    WAITING,
    Event,
    Facts,
    Leaf,
    Partial,
    Period,
    Reference,
    Scope,
    Target,
    Value,
    add_need,
    add_project,
    composite,
    dimension_score,
    facts,
    local_day,
    members,
    merge,
    need_part,
    new_state,
    normalise,
    period_of,
    periods_of,
    platform_totals,
    project_part,
    scope_states,
    scope_values,
)
from backend.scores.models import Dimension
from backend.scores.partials import Change, Update, key_of
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
    _targets: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # by_dimension, by_component

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

    def by_dimension(self, region_code: str, period: Period) -> dict[Dimension, list[tuple[str, Target | None]]]:
        """Every component's target in this region and kind of period, by dimension (kept: the update asks this
        for each scope it writes)."""
        key = (region_code, period.kind)
        found = self._targets.get(key)
        if found is None:
            found = self._targets[key] = {
                d: [(code, self.target(region_code, code, period)) for code in codes]
                for d, codes in _BY_DIMENSION.items()}
        return found

    def by_component(self, region_code: str, period: Period) -> dict[str, Target | None]:
        """Every component's target in this region and kind of period (kept, as `by_dimension`)."""
        key = (region_code, period.kind, "components")
        found = self._targets.get(key)
        if found is None:
            found = self._targets[key] = {
                code: t for pairs in self.by_dimension(region_code, period).values() for code, t in pairs}
        return found


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


def effective_settings(session: Session, settings: ScoreSettings | None = None,
                       found: list[tuple[str, str, float, float]] | None = None) -> ScoreSettings:
    """The settings file with the admins' targets per region over it (an admin's target wins; `found`: the
    admins' targets when already read)."""
    settings = settings or load_settings()
    found = repository.region_targets(session) if found is None else found
    if not found:
        return settings
    regions = {code: dict(by_component) for code, by_component in settings.regions.items()}
    for code, component, target, worst in found:
        regions.setdefault(code, {})[component] = {"target": target, "worst": worst}
    return dataclasses.replace(settings, regions=regions)


def reference(session: Session, settings: ScoreSettings | None = None, org_ids: set[int] | None = None,
              found: dict[str, list[tuple]] | None = None) -> tuple[Reference, dict[int, str]]:
    """Regions, organisations (only `org_ids` when given) and chains as the formulas need them, and region codes
    by id (`found`: `repository.reference_rows` when already read)."""
    settings = settings or load_settings()
    found = found or repository.reference_rows(session, org_ids)
    regions, chains, orgs = found["region"], found["chain"], found["organisation"]
    code_of = {region_id: code for region_id, code, _parent in regions}
    by_code = {code: region_id for region_id, code, _parent in regions}
    city_id = by_code[settings.home_city]
    districts = frozenset(region_id for region_id, _code, parent in regions if parent == city_id)
    neighbour_cities = {by_code[c] for c in settings.neighbour_cities if c in by_code}
    neighbours = frozenset(neighbour_cities | {region_id for region_id, _code, parent in regions
                                               if parent in neighbour_cities})
    parent_of = {chain_id: parent for chain_id, _code, parent, _char in chains}
    chain_by_code = {code: chain_id for chain_id, code, _parent, _char in chains}
    ancestry = {}
    for chain_id in parent_of:
        line, at = [], chain_id
        while at is not None and at not in line:
            line.append(at)
            at = parent_of.get(at)
        ancestry[chain_id] = tuple(line)
    ref = Reference(
        city_id=city_id, district_ids=districts, neighbour_ids=neighbours,
        org_kind={o: kind for o, kind, _r in orgs}, org_region={o: r for o, _k, r in orgs},
        chain_ancestry=ancestry,
        characteristic_chains=frozenset(chain_id for chain_id, _code, _parent, char in chains if char),
        strategic_chains=frozenset(chain_by_code[c] for c in settings.strategic_chains if c in chain_by_code),
        key_tasks=tuple((t["code"], frozenset(chain_by_code[c] for c in t["chains"] if c in chain_by_code))
                        for t in settings.key_tasks),
        chain_ids=tuple(parent_of), qualified_score=get_settings().qualified_score,
    )
    return ref, code_of


def _rows(period: Period, values: dict, code_of: dict[int, str], settings: ScoreSettings) -> dict[tuple, dict]:
    """Snapshot rows of one period keyed by (region, chain, dimension, component or None)."""
    rows: dict[tuple, dict] = {}
    for (region_id, chain_id), comps in values.items():
        sample = bool(comps["_sample"].raw)
        by_dimension: dict[Dimension, list[float | None]] = {d: [] for d in _DIMENSIONS}
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


def _months(p: Period) -> list[Period]:
    """The months of a period (a month itself)."""
    found, day = [], p.start
    while day <= p.end:
        found.append(period_of("month", day))
        day = found[-1].end + timedelta(days=1)
    return found


def _build(evs: list[Event], ref: Reference) -> tuple[dict[Period, dict[Scope, dict]], dict[Period, tuple[int, int]],
                                                        dict[str, dict]]:
    """The state the per-event update keeps, from the ledger alone: every scope's partial per period, the
    platform's totals per period, and the facts by key (needs, projects, matches, firms and pairs).

    Each event goes into its month's (region, chain) leaf once; a quarter or a year merges its months' leaves,
    and scopes merge leaves."""
    f = facts(evs, ref.qualified_score)
    leaves: dict[Period, dict[Leaf, Partial]] = defaultdict(lambda: defaultdict(Partial))

    def leaf(e: Event) -> Partial:
        return leaves[periods_of(local_day(e.at))[0]][(e.region_id, e.chain_id)]

    for e in evs:
        if e.kind in BUCKETED:
            leaf(e).add_event(e, ref)
    for e in f.need_posted.values():
        add_need(leaf(e).state, need_part(e.at, e.chain_id, f.need_stage.get(e.need_id, {}), ref))
    for e in f.project_created.values():
        detail = f.project_details.get(e.project_id, (e.at, e.id, 0.0, "none"))
        add_project(leaf(e).state, project_part(e.chain_id, detail[2], detail[3], ref))
    periods = sorted({p for m in leaves for p in periods_of(m.start)}, key=lambda p: (p.kind, p.start))
    states, platform = {}, {}
    for p in periods:
        if p.kind == "month":
            by_leaf = leaves[p]
        else:
            months = [m for m in _months(p) if m in leaves]
            keys = {key for m in months for key in leaves[m]}
            by_leaf = {key: merge(leaves[m][key] for m in months if key in leaves[m]) for key in keys}
        platform[p] = platform_totals(x.state for x in by_leaf.values())
        states[p] = scope_states(by_leaf, ref)
    return states, platform, _facts_by_key(f, leaves)


def _facts_by_key(f: Facts, leaves: dict[Period, dict[Leaf, Partial]]) -> dict[str, dict]:
    """The facts `partials.Update` keeps between events, as the ledger gives them."""
    out: dict[str, dict] = {}
    for need_id in set(f.need_posted) | set(f.need_stage):
        posted = f.need_posted.get(need_id)
        out[f"need:{need_id}"] = {
            "posted": None if posted is None else [posted.at.isoformat(), posted.id, posted.region_id,
                                                   posted.chain_id, posted.is_sample],
            "stages": {stage: at.isoformat() for stage, at in f.need_stage.get(need_id, {}).items()}}
    for project_id in set(f.project_created) | set(f.project_details) | set(f.project_stage):
        created = f.project_created.get(project_id)
        detail = f.project_details.get(project_id)
        need_id = None
        if created is not None and created.match_id is not None:
            need_id = f.match_need.get(created.match_id)
            if need_id is None:
                out.setdefault(f"match:{created.match_id}", {"projects": []})["projects"].append(project_id)
        out[f"project:{project_id}"] = {
            "created": None if created is None else [created.at.isoformat(), created.id, created.match_id,
                                                     created.region_id, created.chain_id, created.is_sample],
            "detail": None if detail is None else [detail[0].isoformat(), detail[1], detail[2], detail[3]],
            "stages": {stage: at.isoformat() for stage, at in f.project_stage.get(project_id, {}).items()},
            "need": need_id}
    for month, by_leaf in leaves.items():
        ordinal = month.start.toordinal()
        for (region_id, chain_id), partial in by_leaf.items():
            entry = [ordinal, region_id, chain_id]
            for role, found in (("posting", partial.posting_firms), ("collab", partial.collaborating),
                                ("pair", partial.pairs)):
                for key in found:
                    out.setdefault(key, {}).setdefault(role, []).append(entry)
    return out


def _crc(text: str) -> int:
    """A fingerprint of a row's detail: an update leaves a row alone when its raw value and this are unchanged."""
    return zlib.crc32(text.encode())


def _written(rows: dict[tuple, dict], states: dict[Scope, dict]) -> dict[Scope, dict]:
    """`score_partials.rows` of each scope of one period's rows (which must have their ids and their detail as
    JSON text)."""
    out: dict[Scope, dict] = {}
    for (r, c, dimension, component), row in rows.items():
        st = states[(r, c)]
        w = out.setdefault((r, c), {"ids": {}, "raw": {}, "crc": {}, "sample": row["is_sample"],
                                    "activity": [st["activity"], st["char_activity"]]})
        w["ids"][component or dimension] = row["id"]
        if component is not None:
            w["raw"][component], w["crc"][component] = row["raw_value"], _crc(row["detail"])
    return out


def _partial_rows(states: dict[Period, dict[Scope, dict]], platform: dict[Period, tuple[int, int]],
                  written: dict[Period, dict[Scope, dict]]) -> list[tuple]:
    rows = []
    for p, by_scope in states.items():
        for (r, c), st in by_scope.items():
            rows.append((key_of(p, r, c), p.kind, p.start, r, c, st, written[p][(r, c)]))
        totals = new_state()
        totals["activity"], totals["char_activity"] = platform[p]
        rows.append((key_of(p, None, None), p.kind, p.start, None, None, totals, None))
    return rows


def recompute(session: Session, *, as_of: date | None = None, settings: ScoreSettings | None = None) -> int:
    """Rebuild every snapshot, and the state the per-event update keeps, from the ledger alone; return how many
    snapshot rows were written."""
    settings = effective_settings(session, settings)
    as_of = as_of or local_day(datetime.now(UTC))
    repository.lock(session)
    ref, code_of = reference(session, settings)
    ref = dataclasses.replace(ref, state_day=as_of)
    repository.clear_state(session)
    evs = repository.events(session, qualified_score=ref.qualified_score, mark_applied=True)
    states, platform, facts_by_key = _build(evs, ref)
    computed = {p: _rows(p, {scope: scope_values(scope, st, ref, platform[p], as_of) for scope, st in by_scope.items()},
                         code_of, settings) for p, by_scope in states.items()}
    for p, rows in computed.items():
        previous = computed.get(p.previous(), {})
        for key, row in rows.items():
            _set_trend(row, previous.get(key))
    repository.delete_all(session)
    all_rows = [row for rows in computed.values() for row in rows.values()]
    if all_rows:
        first = repository.reserve_snapshot_ids(session, len(all_rows))
        for i, row in enumerate(all_rows):
            row["id"] = first + i
            # as the update writes it: its fingerprint is kept (`_written`)
            row["detail"] = repository.dumps(row["detail"])
    repository.replace_periods(session, [], all_rows)
    written = {p: _written(rows, states[p]) for p, rows in computed.items()}
    repository.replace_state(session, _partial_rows(states, platform, written), facts_by_key, as_of)
    session.flush()
    return len(all_rows)


_DIMENSIONS = tuple(Dimension)
_BY_DIMENSION = {d: tuple(c.code for c in COMPONENTS if c.dimension == d) for d in _DIMENSIONS}


def _values(p: Period, region_code: str, raw: dict[str, float | None], settings: ScoreSettings,
            dimensions: Iterable[Dimension] = tuple(Dimension)) -> dict[str, float | None]:
    """The normalised value of each component and the score of each dimension (of `dimensions` only), from raw
    values, as `normalise` and `dimension_score` give them."""
    found = settings.by_dimension(region_code, p)
    out: dict[str, float | None] = {}
    for d in dimensions:
        known = []
        for code, target in found[d]:
            out[code] = value = _normalised(raw.get(code), target)
            if value is not None:
                known.append(value)
        out[d.value] = round(sum(known) / len(known), 2) if known else None
    return out


def _normalised(raw: float | None, target: Target | None) -> float | None:
    """`normalise`, inlined for the update's hot loop."""
    if raw is None or target is None or target.target == target.worst:
        return None
    return round(100.0 * min(1.0, max(0.0, (raw - target.worst) / (target.target - target.worst))), 2)


def apply_event(session: Session, event_id: int, *, as_of: date | None = None,
                settings: ScoreSettings | None = None) -> int:
    """Update the snapshots one ledger event moves (idempotent); return how many rows were written."""
    return apply_events(session, [event_id], as_of=as_of, settings=settings)


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: an update decodes and builds thousands of short-lived dicts and
    lists (its partials), all freed by reference counting, which the collector would otherwise scan, and now and
    then with every object of the process (measured at 1M: p95 lower by 3-7 ms, the longest update by 25 ms)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def apply_events(session: Session, event_ids: list[int], *, as_of: date | None = None,
                 settings: ScoreSettings | None = None) -> int:
    """Count these ledger events into the stored partials by delta and rewrite the snapshots of the scopes and
    periods that changed (idempotent: an event already counted, missing, or moving nothing is skipped); return
    how many rows were written. Before any state is built (a ledger that predates it), or when the state was built
    on a later day than `as_of`, a full recompute."""
    with _without_cyclic_gc():
        return _apply_events(session, event_ids, as_of or local_day(datetime.now(UTC)), settings)


def _apply_events(session: Session, event_ids: list[int], as_of: date, settings: ScoreSettings | None) -> int:
    qualified = get_settings().qualified_score
    built, found, targets, reference_rows, known, match_needs = repository.start_update(
        session, list(dict.fromkeys(event_ids)), qualified)
    # Not built (a ledger that predates the state), or built on a later day than this one (needs judged on that
    # day count in totals: `Reference.state_day`): only a full recompute is right.
    if built is None or as_of.toordinal() < built.get("day", 0):
        return recompute(session, as_of=as_of, settings=settings)
    if not found:
        return 0
    settings = effective_settings(session, settings, targets)
    ref, code_of = reference(session, settings, found=reference_rows)
    ref = dataclasses.replace(ref, state_day=date.fromordinal(built.get("day", as_of.toordinal())))
    update = Update(session, ref, qualified)
    update.facts.update(known)
    update.match_needs = match_needs
    if "day" not in built:  # the empty state of an empty ledger: it is built on the day of its first update
        update.facts["built"] = {"day": as_of.toordinal()}
        update.dirty.add("built")
    for key in {key for e in found for key in _fact_keys(e, ref)} - set(known):
        update.facts[key] = {}  # read above: not stored yet
    for e in found:
        update.apply(e)
    return _write_scopes(session, update, ref, code_of, as_of, settings)


def _fact_keys(e: Event, ref: Reference) -> list[str]:
    keys = [key for key, _role in members(e, ref)]
    for name, value in (("need", e.need_id), ("match", e.match_id), ("project", e.project_id)):
        if value is not None:
            keys.append(f"{name}:{value}")
    return keys


def _write_scopes(session: Session, update: Update, ref: Reference, code_of: dict[int, str], as_of: date,
                  settings: ScoreSettings) -> int:
    """Write the snapshots of the changed partials: every row of a scope that had no event before (or whose
    sample flag turned), else the components that read a changed field and their dimensions' scores, with
    their trends and those of the period after; a period whose platform totals moved rewrites every region's
    location quotient. Store the partials with the rows written from them; return how many rows were written."""
    regions = (ref.city_id, *sorted(ref.district_ids))
    changed, stored = update.finish(regions)
    platform = {c.period: (c.state["activity"], c.state["char_activity"]) for c in changed.values()
                if c.region_id is None}
    neighbours = {}
    for key, (st, rows) in stored.items():
        if st is not None:
            platform[_parse(key)[0]] = (st["activity"], st["char_activity"])
        else:
            neighbours[key] = rows
    scopes = {key: c for key, c in changed.items() if c.region_id is not None}
    moved = {c.period for c in changed.values() if c.region_id is None}
    lq_only = {}
    for p in moved:
        for region_id in regions:
            key = key_of(p, region_id, None)
            if key in scopes:
                scopes[key].fields.add("platform")
            elif (rows := neighbours.get(key)) is not None:
                lite = {"n": 1, "sample": int(rows["sample"]), "activity": rows["activity"][0],
                        "char_activity": rows["activity"][1]}
                scopes[key] = lq_only[key] = Change(p, region_id, None, lite, {"platform"}, 1, rows["sample"], rows)
    written: dict[str, set[str]] = {}  # partial key -> row keys written
    moved_of: dict[str, set[str]] = {}  # partial key -> row keys whose value (raw or normalised) moved
    # The normalised values of the rows written from a partial, by partial key, filled per dimension when read.
    normalised_of: dict[str, dict] = {}
    new_rows: list[dict] = []
    updates: list[dict] = []
    for key, c in scopes.items():
        st, p = c.state, c.period
        if not st["n"]:
            continue
        sample = st["sample"] > 0
        full = not c.had_events or c.rows is None or c.had_sample != sample
        codes = None if full else {code for name in c.fields for code in READ_BY.get(name, ())}
        if codes is not None and not codes:
            continue
        values = scope_values((c.region_id, c.chain_id), st, ref, platform.get(p, (0, 0)), as_of, codes)
        region_code = code_of[c.region_id]
        targets_of = settings.by_component(region_code, p)
        if full:
            rows = {"ids": dict(c.rows["ids"]) if c.rows else {}, "raw": {}, "crc": {}}
        else:
            rows = c.rows
            before = _values(p, region_code, rows["raw"], settings,
                             {BY_CODE[code].dimension for code in codes})
        keys, details, moved = set(), {}, set()  # rows to write; of them, those whose value moved
        for code, value in values.items():
            if code == "_sample":
                continue
            raw = None if value.raw is None else round(float(value.raw), 6)
            details[code] = repository.dumps(value.detail)
            crc = _crc(details[code])
            if full or raw != rows["raw"].get(code):
                moved.add(code)
            if full or crc != rows["crc"].get(code):
                keys.add(code)
            rows["raw"][code], rows["crc"][code] = raw, crc
        keys |= moved
        rows["sample"], rows["activity"] = sample, [st["activity"], st["char_activity"]]
        dimensions = _DIMENSIONS if full else {BY_CODE[code].dimension for code in keys}
        normalised = normalised_of[key] = _values(p, region_code, rows["raw"], settings, dimensions)
        for dimension in dimensions:
            if full or normalised[dimension.value] != before[dimension.value]:
                moved.add(dimension.value)
            if dimension.value in moved or any(
                    (normalised[code] is None) != (before[code] is None) for code in _BY_DIMENSION[dimension]):
                keys.add(dimension.value)
        c.rows, written[key], moved_of[key] = rows, keys, moved
        for row_key in keys:
            component = row_key if row_key in BY_CODE else None
            dimension = BY_CODE[row_key].dimension if component else Dimension(row_key)
            target = targets_of[component] if component else None
            raw = rows["raw"][component] if component else normalised[row_key]
            detail = details[component] if component else repository.dumps(
                {"components": sum(1 for code in _BY_DIMENSION[dimension] if normalised[code] is not None)})
            row = {"region_id": c.region_id, "chain_id": c.chain_id, "dimension": dimension, "component": component,
                   "period": p.kind, "period_start": p.start, "period_end": p.end, "value": normalised[row_key],
                   "raw_value": raw, "target": None if target is None else target.target,
                   "previous_raw_value": None, "trend": None, "detail": detail, "is_sample": sample}
            (new_rows if row_key not in rows["ids"] else updates).append(row)
            row["_key"] = (key, row_key)
    if new_rows:
        first = repository.reserve_snapshot_ids(session, len(new_rows))
        for i, row in enumerate(new_rows):
            row["id"] = first + i
            scopes[row["_key"][0]].rows["ids"][row["_key"][1]] = row["id"]
    for row in updates:
        row["id"] = scopes[row["_key"][0]].rows["ids"][row["_key"][1]]

    def rows_of(key: str) -> dict | None:
        """The rows written from a partial (this update's or the stored ones)."""
        return scopes[key].rows if key in scopes else neighbours.get(key)

    def value_of(key: str, row_key: str) -> float | None:
        """The normalised value of one row written from a partial (a component's, or a dimension's score)."""
        found = normalised_of.setdefault(key, {})
        if row_key not in found:
            period, region_id = (scopes[key].period, scopes[key].region_id) if key in scopes else _parse(key)[:2]
            if row_key in BY_CODE:  # a component alone, not its whole dimension
                target = settings.by_component(code_of[region_id], period)[row_key]
                found[row_key] = _normalised(rows_of(key)["raw"].get(row_key), target)
            else:
                found.update(_values(period, code_of[region_id], rows_of(key)["raw"], settings, (Dimension(row_key),)))
        return found[row_key]

    for row in new_rows + updates:
        key, row_key = row.pop("_key")
        c = scopes[key]
        before_key = key_of(c.period.previous(), c.region_id, c.chain_id)
        earlier = rows_of(before_key)
        if earlier is not None:
            value = value_of(before_key, row_key)
            _set_trend(row, {"value": value, "raw_value": earlier["raw"].get(row_key) if row["component"] else value})
    repository.replace_periods(session, [], new_rows)
    with repository.update_writer(session) as writer:
        # The largest statements first: the server writes them while the trends of the period after are worked out.
        writer.snapshots([{k: row[k] for k in ("id", "value", "raw_value", "target", "previous_raw_value", "trend",
                                               "detail", "is_sample")} for row in updates])
        writer.partials([{"key": key, "period": c.period.kind, "period_start": c.period.start,
                          "region_id": c.region_id, "chain_id": c.chain_id, "state": c.state, "rows": c.rows}
                         for key, c in changed.items()])
        writer.facts(update.dirty_facts())
        writer.rows({key: c.rows for key, c in lq_only.items() if written.get(key)})
        trends = []
        for key, moved in moved_of.items():  # the period after compares with these values: its trends move
            c = scopes[key]
            after = key_of(c.period.next(), c.region_id, c.chain_id)
            rows = rows_of(after)
            if rows is None:
                continue
            for row_key in moved - written.get(after, set()):
                if row_key not in rows["ids"]:
                    continue
                row = {"id": rows["ids"][row_key], "value": value_of(after, row_key)}
                mine = value_of(key, row_key)
                _set_trend(row, {"value": mine, "raw_value": c.rows["raw"][row_key] if row_key in BY_CODE else mine})
                del row["value"]
                trends.append(row)
        writer.trends(trends)
    if not writer.consistent():  # a snapshot the state names is gone (the tables were emptied apart): rebuild both
        return recompute(session, as_of=as_of, settings=settings)
    return len(new_rows) + len(updates)


def _parse(key: str) -> tuple[Period, int | None, int | None]:
    kind, start, region, chain = key.split(":")
    return (period_of(kind, date.fromisoformat(start)), None if region == "platform" else int(region),
            None if chain == "*" else int(chain))


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
