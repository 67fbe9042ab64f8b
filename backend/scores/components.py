"""The score components and their formulas: pure functions of ledger events and reference data (no database).

docs/scores.md explains every component; `MOVES` says which event kinds move which components."""

import calendar
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from backend.ledger.kinds import EventKind
from backend.scores.models import Dimension

K = EventKind
LOCAL = ZoneInfo("Asia/Shanghai")  # periods are calendar months, quarters and years in Shaoxing
STALE_DAYS = 14
QUALIFIED_DAYS = 7  # a need has a qualified match in time when one is proposed within this many days
COLLAB_KINDS = (K.MATCH_ACCEPTED, K.PROJECT_CREATED)
ACTIVITY_KINDS = (K.NEED_POSTED, K.MATCH_ACCEPTED, K.PROJECT_CREATED, K.PARTNERSHIP_CREATED)
RESPONSE_KINDS = (K.MATCH_UNIVERSITY_INTERESTED, K.MATCH_ACCEPTED)
MAJOR_LEVELS = ("municipal", "provincial", "national")
RESEARCH_KINDS = ("university", "institute")


@dataclass(frozen=True)
class Component:
    code: str
    dimension: Dimension
    unit: str  # count, cny, percent, per_100_firms, days, ratio
    higher_is_better: bool = True
    per_month: bool = False  # a count or value: its target scales with the months of the period


D = Dimension
COMPONENTS: tuple[Component, ...] = (
    Component("accepted_matches", D.COOPERATION, "count", per_month=True),
    Component("joint_projects", D.COOPERATION, "count", per_month=True),
    Component("pairs_per_100_firms", D.COOPERATION, "per_100_firms"),
    Component("collaborating_firm_share", D.COOPERATION, "percent"),
    Component("cross_district_collaborations", D.COOPERATION, "count", per_month=True),
    Component("neighbour_city_collaborations", D.COOPERATION, "count", per_month=True),
    Component("foreign_partnerships", D.COOPERATION, "count", per_month=True),
    Component("foreign_partnership_value", D.COOPERATION, "cny", per_month=True),
    Component("matched_need_share", D.PROMOTION, "percent"),
    Component("need_to_project_conversion", D.PROMOTION, "percent"),
    Component("median_days_to_acceptance", D.PROMOTION, "days", higher_is_better=False),
    Component("project_completion_share", D.PROMOTION, "percent"),
    Component("commercialised_projects", D.PROMOTION, "count", per_month=True),
    Component("contract_value", D.PROMOTION, "cny", per_month=True),
    Component("median_days_to_first_response", D.SENSING, "days", higher_is_better=False),
    Component("stale_need_share", D.SENSING, "percent", higher_is_better=False),
    Component("median_days_to_resolve_alert", D.SENSING, "days", higher_is_better=False),
    Component("qualified_match_within_7_days", D.SENSING, "percent"),
    Component("major_projects", D.PLANNING, "count", per_month=True),
    Component("key_task_coverage", D.PLANNING, "percent"),
    Component("strategic_chain_need_share", D.PLANNING, "percent"),
    Component("characteristic_lq", D.CHARACTERISTIC, "ratio"),
    Component("characteristic_project_share", D.CHARACTERISTIC, "percent"),
)
BY_CODE = {c.code: c for c in COMPONENTS}
# Shares of chains: for a single chain they would be 0 or 100 by construction, so they are None there.
WHOLE_CHAIN_ONLY = frozenset({"strategic_chain_need_share", "characteristic_lq", "characteristic_project_share"})
# Components that wait for other work, listed so the docs and the dashboard can say so (never a made-up value).
WAITING: dict[str, tuple[Dimension, str]] = {}

_FUNNEL = {"need_to_project_conversion", "matched_need_share", "qualified_match_within_7_days"}
_ACTIVE_FIRMS = {"pairs_per_100_firms", "collaborating_firm_share"}
_COLLAB = {"pairs_per_100_firms", "collaborating_firm_share", "cross_district_collaborations",
           "neighbour_city_collaborations", "key_task_coverage", "characteristic_lq"}
_RESPONSE = {"median_days_to_first_response", "stale_need_share"}
MOVES: dict[EventKind, frozenset[str]] = {
    K.NEED_POSTED: frozenset(_FUNNEL | _ACTIVE_FIRMS | {"stale_need_share", "strategic_chain_need_share",
                                                         "characteristic_lq"}),
    K.MATCH_PROPOSED: frozenset({"matched_need_share", "qualified_match_within_7_days"}),
    K.MATCH_UNIVERSITY_INTERESTED: frozenset(_RESPONSE),
    K.MATCH_ACCEPTED: frozenset(_COLLAB | _RESPONSE | {"accepted_matches", "median_days_to_acceptance"}),
    K.PROJECT_CREATED: frozenset(_COLLAB | {"joint_projects", "need_to_project_conversion", "contract_value",
                                            "major_projects", "characteristic_project_share"}),
    K.PROJECT_UPDATED: frozenset({"contract_value", "major_projects"}),
    K.PROJECT_COMPLETED: frozenset({"project_completion_share"}),
    K.PROJECT_TERMINATED: frozenset({"project_completion_share"}),
    K.PROJECT_COMMERCIALISED: frozenset({"commercialised_projects"}),
    K.PARTNERSHIP_CREATED: frozenset(_ACTIVE_FIRMS | {"foreign_partnerships", "foreign_partnership_value",
                                                      "characteristic_lq"}),
    K.ALERT_RESOLVED: frozenset({"median_days_to_resolve_alert"}),
}


_MOVES_BY_VALUE = {k.value: v for k, v in MOVES.items()}
# Kinds counted in their period; a proposal moves its need's cohort only (through `facts`), never its own period.
_BUCKETED = frozenset(_MOVES_BY_VALUE) - {K.MATCH_PROPOSED.value}


def moves(kind: EventKind | str) -> frozenset[str]:
    """The components an event of this kind can move (empty: it moves none, and queues no score update)."""
    found = _MOVES_BY_VALUE.get(kind)
    return found if found is not None else MOVES.get(EventKind(kind), frozenset())


@dataclass(frozen=True)
class Event:
    """The columns of a ledger row that scores read."""

    id: int
    kind: str
    at: datetime
    region_id: int | None = None
    chain_id: int | None = None
    org_ids: tuple[int, ...] = ()
    need_id: int | None = None
    match_id: int | None = None
    project_id: int | None = None
    data: dict = field(default_factory=dict, hash=False, compare=False)
    is_sample: bool = False


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year
    start: date
    end: date  # the last day, inclusive

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    def previous(self) -> "Period":
        return period_of(self.kind, self.start - timedelta(days=1))

    def next(self) -> "Period":
        return period_of(self.kind, self.end + timedelta(days=1))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


PERIOD_KINDS = ("month", "quarter", "year")


@lru_cache(maxsize=8192)
def period_of(kind: str, day: date) -> Period:
    """The month, quarter or year that contains `day`."""
    if kind == "month":
        first_month, months = day.month, 1
    elif kind == "quarter":
        first_month, months = 3 * ((day.month - 1) // 3) + 1, 3
    elif kind == "year":
        first_month, months = 1, 12
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    last_month = first_month + months - 1
    return Period(kind, date(day.year, first_month, 1),
                  date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]))


@lru_cache(maxsize=1 << 18)
def local_day(at: datetime) -> date:
    """The day in Shaoxing of a stored (UTC) time."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(LOCAL).date()


@lru_cache(maxsize=8192)
def periods_of(day: date) -> tuple[Period, ...]:
    return tuple(period_of(kind, day) for kind in PERIOD_KINDS)


@dataclass(frozen=True)
class Reference:
    """What scores need besides the events: regions, organisations and chains, and the settings."""

    city_id: int
    district_ids: frozenset[int]
    neighbour_ids: frozenset[int]  # the neighbouring cities and their districts
    org_kind: dict[int, str]
    org_region: dict[int, int | None]
    chain_ancestry: dict[int, tuple[int, ...]]  # a chain, then its parent, its grandparent…
    characteristic_chains: frozenset[int]
    strategic_chains: frozenset[int]
    key_tasks: tuple[tuple[str, frozenset[int]], ...]
    chain_ids: tuple[int, ...] = ()
    qualified_score: float = 0.5  # a proposal at or above this calibrated match score is a qualified match

    def region_scopes(self, region_id: int | None) -> tuple[int, ...]:
        if region_id == self.city_id:
            return (self.city_id,)
        if region_id in self.district_ids:
            return (region_id, self.city_id)
        return ()

    def chain_scopes(self, chain_id: int | None) -> tuple[int | None, ...]:
        if chain_id is None:
            return (None,)
        return (None, *self.chain_ancestry.get(chain_id, (chain_id,)))

    def in_chains(self, chain_id: int | None, chains: frozenset[int]) -> bool:
        """Whether the chain or one of its parents is in `chains`."""
        return chain_id is not None and any(c in chains for c in self.chain_ancestry.get(chain_id, (chain_id,)))

    def characteristic(self, chain_id: int | None) -> bool:
        """A chain's own flag (a chain below a characteristic one may not be characteristic itself)."""
        return chain_id in self.characteristic_chains

    def unit_of(self, org_id: int) -> int | None:
        """The district (or the city itself) of a Shaoxing organisation, else None."""
        region = self.org_region.get(org_id)
        return region if region == self.city_id or region in self.district_ids else None


Scope = tuple[int, int | None]  # (region id, chain id or None for every chain)


@dataclass
class Value:
    raw: float | None
    detail: dict = field(default_factory=dict)


@dataclass
class Facts:
    """Per need and per project: when each stage was first reached (order-free: minima and latest values)."""

    need_posted: dict[int, Event] = field(default_factory=dict)
    need_stage: dict[int, dict[str, datetime]] = field(default_factory=lambda: defaultdict(dict))
    match_need: dict[int, int] = field(default_factory=dict)
    project_created: dict[int, Event] = field(default_factory=dict)
    project_stage: dict[int, dict[str, datetime]] = field(default_factory=lambda: defaultdict(dict))
    project_details: dict[int, tuple[datetime, int, float, str]] = field(default_factory=dict)
    views: dict[tuple[int, date], "NeedView"] = field(default_factory=dict)  # by (posting event id, as_of)


def _first(stages: dict[str, datetime], stage: str, at: datetime) -> None:
    if stage not in stages or at < stages[stage]:
        stages[stage] = at


def _earliest(current: Event | None, event: Event) -> bool:
    return current is None or (event.at, event.id) < (current.at, current.id)


def facts(events: Iterable[Event], qualified_score: float = 0.5) -> Facts:
    """Stage times of needs and projects from any order of events (the same result for any permutation).

    A need is "matched" at its first proposal and "qualified" at its first proposal whose calibrated score
    (`fused_score`) is at least `qualified_score`."""
    f = Facts()
    for e in events:
        if e.kind == K.NEED_POSTED and e.need_id is not None and _earliest(f.need_posted.get(e.need_id), e):
            f.need_posted[e.need_id] = e
        elif e.kind.startswith("match.") and e.match_id is not None and e.need_id is not None:
            f.match_need[e.match_id] = e.need_id
            if e.kind == K.MATCH_PROPOSED:
                _first(f.need_stage[e.need_id], "matched", e.at)
                if float(e.data.get("fused_score") or 0) >= qualified_score:
                    _first(f.need_stage[e.need_id], "qualified", e.at)
            if e.kind in RESPONSE_KINDS:
                _first(f.need_stage[e.need_id], "responded", e.at)
            if e.kind == K.MATCH_ACCEPTED:
                _first(f.need_stage[e.need_id], "accepted", e.at)
        elif e.kind.startswith("project.") and e.project_id is not None:
            if e.kind == K.PROJECT_CREATED and _earliest(f.project_created.get(e.project_id), e):
                f.project_created[e.project_id] = e
            if e.kind in (K.PROJECT_CREATED, K.PROJECT_UPDATED):
                latest = f.project_details.get(e.project_id)
                if latest is None or (e.at, e.id) > latest[:2]:
                    f.project_details[e.project_id] = (e.at, e.id, float(e.data.get("contract_value_cny", 0)),
                                                       str(e.data.get("major_level", "none")))
            if e.kind in (K.PROJECT_COMPLETED, K.PROJECT_COMMERCIALISED):
                _first(f.project_stage[e.project_id], "completed", e.at)
            if e.kind == K.PROJECT_COMMERCIALISED:
                _first(f.project_stage[e.project_id], "commercialised", e.at)
    for project_id, created in f.project_created.items():
        need_id = f.match_need.get(created.match_id) if created.match_id is not None else None
        if need_id is None:
            continue
        stages = f.need_stage[need_id]
        _first(stages, "project", created.at)
        for stage, at in f.project_stage.get(project_id, {}).items():
            _first(stages, stage, at)
    return f


FUNNEL = ("posted", "matched", "responded", "accepted", "project", "completed", "commercialised")
_STEPS = tuple(zip(FUNNEL, FUNNEL[1:], strict=False))


def _pct(part: float, whole: float) -> float | None:
    return None if not whole else 100.0 * part / whole


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _days(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 86400.0)


def is_stale(posted_at: datetime, responded_at: datetime | None, as_of: date) -> bool | None:
    """A need without a response within `STALE_DAYS` of its posting; None while it is too young to judge
    (fewer than `STALE_DAYS` days old in Shaoxing on `as_of`). The score and the alerts both ask this."""
    if local_day(posted_at) + timedelta(days=STALE_DAYS) > as_of:
        return None
    return responded_at is None or _days(posted_at, responded_at) > STALE_DAYS


@dataclass(frozen=True)
class NeedView:
    """What the cohort components read of one posted need, worked out once per computation."""

    stages: frozenset[str]
    spans: dict[str, float]  # days per funnel step the need made ("posted_to_matched", …)
    accepted_days: float | None
    response_days: float | None
    stale: bool | None  # None: too young to judge
    qualified: bool | None  # a qualified match within QUALIFIED_DAYS; None: too young to judge


def need_view(f: Facts, posted: Event, as_of: date) -> NeedView:
    """The need's stages, step durations and verdicts (memoised in `f`: a need is in many scopes and periods)."""
    key = (posted.id, as_of)
    found = f.views.get(key)
    if found is not None:
        return found
    s = f.need_stage.get(posted.need_id, {})
    spans = {f"{a}_to_{b}": _days(posted.at if a == "posted" else s[a], s[b]) for a, b in _STEPS
             if b in s and (a == "posted" or a in s)}
    qualified = None
    if is_judged(posted.at, QUALIFIED_DAYS, as_of):
        qualified = "qualified" in s and _days(posted.at, s["qualified"]) <= QUALIFIED_DAYS
    found = f.views[key] = NeedView(
        stages=frozenset(s), spans=spans,
        accepted_days=_days(posted.at, s["accepted"]) if "accepted" in s else None,
        response_days=_days(posted.at, s["responded"]) if "responded" in s else None,
        stale=is_stale(posted.at, s.get("responded"), as_of), qualified=qualified)
    return found


def _raised_at(e: Event) -> datetime:
    raised = datetime.fromisoformat(str(e.data["raised_at"]))
    return raised if raised.tzinfo is not None else raised.replace(tzinfo=UTC)


def compute_period(period: Period, events: Iterable[Event], f: Facts, ref: Reference, *, as_of: date,
                   cohort: list[Event] | None = None, cohort_projects: list[Event] | None = None,
                   prefiltered: bool = False) -> dict[Scope, dict[str, Value]]:
    """Every component of every scope with data in `period`, with `"_sample"` (a `Value` whose raw is 1.0
    when sample events contributed).

    `events` are the ledger events (those outside the period are skipped); `f` holds the stage facts of at
    least every need and project that starts in the period, so the facts of every event on or after the
    period's first day (a need posted in the period and everything that happens to it later). `prefiltered`
    says the caller already kept only the events of the period."""
    in_period = [e for e in events if e.kind in _BUCKETED and (prefiltered or period.contains(local_day(e.at)))]
    if cohort is None:
        cohort = [e for e in f.need_posted.values() if period.contains(local_day(e.at))]
    if cohort_projects is None:
        cohort_projects = [e for e in f.project_created.values() if period.contains(local_day(e.at))]

    buckets: dict[Scope, dict[str, list[Event]]] = defaultdict(lambda: defaultdict(list))
    platform: dict[str, int] = defaultdict(int)
    sample: set[Scope] = set()
    scopes_of: dict[tuple[int | None, int | None], list[Scope]] = {}
    activity = {k.value for k in ACTIVITY_KINDS}

    def add(e: Event, key: str) -> None:
        where = (e.region_id, e.chain_id)
        scopes = scopes_of.get(where)
        if scopes is None:
            scopes = scopes_of[where] = _scopes(ref, e)
        for scope in scopes:
            buckets[scope][key].append(e)
        if e.is_sample:
            sample.update(scopes)

    for e in in_period:
        if e.kind in activity and e.chain_id is not None:
            platform["all"] += 1
            platform["char"] += ref.characteristic(e.chain_id)
        add(e, e.kind)
    for e in cohort:
        add(e, "cohort")
    for e in cohort_projects:
        add(e, "cohort_projects")

    out: dict[Scope, dict[str, Value]] = {}
    firms: dict[tuple[int, ...], set[int]] = {}
    for scope, by_kind in buckets.items():
        values = _scope_values(scope, by_kind, f, ref, as_of, platform, firms)
        values["_sample"] = Value(float(scope in sample))
        out[scope] = values
    return out


def _scopes(ref: Reference, e: Event) -> list[Scope]:
    return [(r, c) for r in ref.region_scopes(e.region_id) for c in ref.chain_scopes(e.chain_id)]


def is_judged(posted_at: datetime, days: int, as_of: date) -> bool:
    """Whether a need posted at `posted_at` is at least `days` days old in Shaoxing on `as_of`."""
    return local_day(posted_at) + timedelta(days=days) <= as_of


def _scope_values(scope: Scope, ev: dict[str, list[Event]], f: Facts, ref: Reference, as_of: date,
                  platform: dict[str, int], firms: dict[tuple[int, ...], set[int]] | None = None,
                  ) -> dict[str, Value]:
    _region_id, chain_id = scope
    v: dict[str, Value] = {}
    collabs = ev[K.MATCH_ACCEPTED] + ev[K.PROJECT_CREATED]
    partnerships = ev[K.PARTNERSHIP_CREATED]
    firms = {} if firms is None else firms

    def firms_of(e: Event) -> set[int]:
        found = firms.get(e.org_ids)
        if found is None:
            found = firms[e.org_ids] = {o for o in e.org_ids if ref.org_kind.get(o) == "firm"}
        return found

    # Shared cooperation
    v["accepted_matches"] = Value(len(ev[K.MATCH_ACCEPTED]))
    v["joint_projects"] = Value(len(ev[K.PROJECT_CREATED]))
    pairs = {(firm, lab) for e in collabs for firm in firms_of(e) for lab in e.org_ids
             if ref.org_kind.get(lab) in RESEARCH_KINDS}
    collaborating = {o for e in collabs + partnerships for o in firms_of(e)}
    active = collaborating | {o for e in ev[K.NEED_POSTED] for o in firms_of(e)}
    per_100 = None if not active else 100.0 * len(pairs) / len(active)
    v["pairs_per_100_firms"] = Value(per_100, {"pairs": len(pairs), "active_firms": len(active)})
    v["collaborating_firm_share"] = Value(_pct(len(collaborating), len(active)),
                                          {"collaborating_firms": len(collaborating), "active_firms": len(active)})
    cross = [e for e in collabs if len({ref.unit_of(o) for o in e.org_ids} - {None}) >= 2]
    neighbour = [e for e in collabs if any(ref.org_region.get(o) in ref.neighbour_ids for o in e.org_ids)]
    v["cross_district_collaborations"] = Value(len(cross))
    v["neighbour_city_collaborations"] = Value(len(neighbour))
    by_country: dict[str, dict[str, float]] = {}
    for e in partnerships:
        row = by_country.setdefault(e.data.get("country", "??"), {"count": 0, "value_cny": 0.0})
        row["count"] += 1
        row["value_cny"] += float(e.data.get("value_cny", 0))
    v["foreign_partnerships"] = Value(len(partnerships), {"by_country": by_country})
    v["foreign_partnership_value"] = Value(sum(float(e.data.get("value_cny", 0)) for e in partnerships),
                                           {"by_country": by_country})

    # Innovation promotion: the cohort of needs posted in the period, as far as each has come by now
    cohort = ev["cohort"]
    views = [need_view(f, e, as_of) for e in cohort]
    reached = {"posted": len(cohort)}
    for stage in FUNNEL[1:]:
        reached[stage] = sum(1 for n in views if stage in n.stages)
    steps = {f"{a}_to_{b}": _pct(reached[b], reached[a]) for a, b in _STEPS}
    median_days = {}
    for a, b in _STEPS:
        step = f"{a}_to_{b}"
        median_days[step] = _median([n.spans[step] for n in views if step in n.spans])
    funnel = {"reached": reached, "conversion": steps, "median_days": median_days}
    v["matched_need_share"] = Value(_pct(reached["matched"], reached["posted"]), funnel)
    v["need_to_project_conversion"] = Value(_pct(reached["project"], reached["posted"]), funnel)
    v["median_days_to_acceptance"] = Value(_median([n.accepted_days for n in views if n.accepted_days is not None]))
    completed, terminated = len(ev[K.PROJECT_COMPLETED]), len(ev[K.PROJECT_TERMINATED])
    v["project_completion_share"] = Value(_pct(completed, completed + terminated),
                                          {"completed": completed, "terminated": terminated})
    v["commercialised_projects"] = Value(len(ev[K.PROJECT_COMMERCIALISED]))
    projects = ev["cohort_projects"]
    details = [f.project_details.get(p.project_id, (p.at, p.id, 0.0, "none")) for p in projects]
    v["contract_value"] = Value(sum(d[2] for d in details), {"projects": len(projects)})

    # Intelligent sensing
    responses = [n.response_days for n in views if n.response_days is not None]
    v["median_days_to_first_response"] = Value(_median(responses), {"responded_needs": len(responses)})
    judged = [n for n in views if n.stale is not None]
    stale = [n for n in judged if n.stale]
    v["stale_need_share"] = Value(_pct(len(stale), len(judged)), {"stale": len(stale), "judged": len(judged)})
    judged_7 = [n for n in views if n.qualified is not None]
    in_time = sum(1 for n in judged_7 if n.qualified)
    v["qualified_match_within_7_days"] = Value(_pct(in_time, len(judged_7)),
                                               {"qualified": in_time, "judged": len(judged_7)})
    resolved = ev[K.ALERT_RESOLVED]
    v["median_days_to_resolve_alert"] = Value(
        _median([_days(_raised_at(e), e.at) for e in resolved]),
        {"resolved_alerts": len(resolved), "automatic": sum(1 for e in resolved if e.data.get("automatic"))})

    # Strategic planning
    levels = defaultdict(int)
    for d in details:
        if d[3] in MAJOR_LEVELS:
            levels[d[3]] += 1
    v["major_projects"] = Value(sum(levels.values()), {"by_level": dict(levels)})
    relevant = [(code, chains) for code, chains in ref.key_tasks
                if chain_id is None or any(c == chain_id or chain_id in ref.chain_ancestry.get(c, (c,))
                                           for c in chains)]
    collab_chains = {e.chain_id for e in collabs}
    covered = sorted(code for code, chains in relevant if any(ref.in_chains(c, chains) for c in collab_chains))
    v["key_task_coverage"] = Value(_pct(len(covered), len(relevant)), {"covered": covered,
                                                                      "tasks": [c for c, _x in relevant]})
    strategic = sum(1 for e in cohort if ref.in_chains(e.chain_id, ref.strategic_chains))
    v["strategic_chain_need_share"] = Value(_pct(strategic, len(cohort)), {"strategic_needs": strategic})

    # Characteristic development
    active_events = [e for kind in ACTIVITY_KINDS for e in ev[kind] if e.chain_id is not None]
    char_events = sum(1 for e in active_events if ref.characteristic(e.chain_id))
    region_share = _pct(char_events, len(active_events))
    platform_share = _pct(platform["char"], platform["all"])
    lq = None if region_share is None or not platform_share else region_share / platform_share
    v["characteristic_lq"] = Value(lq, {"region_share": region_share, "platform_share": platform_share})
    char_projects = sum(1 for p in projects if ref.characteristic(p.chain_id))
    v["characteristic_project_share"] = Value(_pct(char_projects, len(projects)), {"projects": len(projects)})

    if chain_id is not None:
        for code in WHOLE_CHAIN_ONLY:
            v[code] = Value(None, {"not_applicable": "single chain"})
    return v


@dataclass(frozen=True)
class Target:
    target: float
    worst: float


def normalise(raw: float | None, target: Target | None) -> float | None:
    """Min-max onto 0–100: `worst` scores 0, `target` or better scores 100 (worst > target: lower is better)."""
    if raw is None or target is None or target.target == target.worst:
        return None
    share = (raw - target.worst) / (target.target - target.worst)
    return round(100.0 * min(1.0, max(0.0, share)), 2)


def dimension_score(normalised: Iterable[float | None]) -> float | None:
    """The mean of the components that have a value; None ("no data yet") when none has."""
    known = [x for x in normalised if x is not None]
    return round(sum(known) / len(known), 2) if known else None


def composite(scores: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """The weighted mean of the dimension scores that have a value (weights re-normalised over them)."""
    pairs = [(scores[d], w) for d, w in weights.items() if scores.get(d) is not None and w > 0]
    total = sum(w for _x, w in pairs)
    return round(sum(s * w for s, w in pairs) / total, 2) if total else None
