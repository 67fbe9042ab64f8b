"""The score components and their formulas: pure functions of ledger events and reference data (no database).

docs/scores.md explains every component; `MOVES` says which event kinds move which components."""

import calendar
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
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
BUCKETED = frozenset(_MOVES_BY_VALUE) - {K.MATCH_PROPOSED.value}


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


_CST = timezone(timedelta(hours=8))  # Asia/Shanghai since 1992 (no daylight saving): a faster conversion


def local_day(at: datetime) -> date:
    """The day in Shaoxing of a stored (UTC) time."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(_CST if at.year >= 1992 else LOCAL).date()


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


def is_judged(posted_at: datetime, days: int, as_of: date) -> bool:
    """Whether a need posted at `posted_at` is at least `days` days old in Shaoxing on `as_of`."""
    return local_day(posted_at) + timedelta(days=days) <= as_of


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
    if cohort is None:
        cohort = [e for e in f.need_posted.values() if period.contains(local_day(e.at))]
    if cohort_projects is None:
        cohort_projects = [e for e in f.project_created.values() if period.contains(local_day(e.at))]
    leaves: dict[Leaf, Partial] = defaultdict(Partial)
    for e in events:
        if e.kind in BUCKETED and (prefiltered or period.contains(local_day(e.at))):
            leaves[(e.region_id, e.chain_id)].add_event(e, ref)
    for e in cohort:
        leaves[(e.region_id, e.chain_id)].add_need(need_view(f, e, as_of), e, ref)
    for e in cohort_projects:
        leaves[(e.region_id, e.chain_id)].add_project(e, f, ref)
    return finish_period(leaves, ref)


Leaf = tuple[int | None, int | None]  # the (region, chain) an event was written with


@dataclass
class Partial:
    """What the events of one (region, chain) leaf add to a period: counts, sets and lists that add up across
    leaves and months. A scope's and a quarter's or year's figures are merges of these, so each event is read
    once per computation, not once per scope and period it counts in."""

    touched: bool = False  # a scope gets rows only when some event (or cohort need or project) is in it
    sample: bool = False
    accepted: int = 0
    projects: int = 0
    completed: int = 0
    terminated: int = 0
    commercialised: int = 0
    cross: int = 0
    neighbour: int = 0
    pairs: set = field(default_factory=set)
    collaborating: set = field(default_factory=set)
    posting_firms: set = field(default_factory=set)
    collab_chains: set = field(default_factory=set)
    partnerships: int = 0
    partnership_value: float = 0.0
    by_country: dict = field(default_factory=dict)  # country -> [count, value]
    activity: int = 0  # activity events with a chain (the location quotient)
    char_activity: int = 0
    posted: int = 0  # the cohort of needs posted in the period
    reached: dict = field(default_factory=lambda: dict.fromkeys(FUNNEL[1:], 0))
    spans: dict = field(default_factory=lambda: {f"{a}_to_{b}": [] for a, b in _STEPS})
    accepted_days: list = field(default_factory=list)
    response_days: list = field(default_factory=list)
    judged: int = 0
    stale: int = 0
    judged_7: int = 0
    qualified: int = 0
    strategic: int = 0
    cohort_projects: int = 0  # the projects created in the period, with their latest details
    contract_value: float = 0.0
    levels: dict = field(default_factory=dict)
    char_projects: int = 0
    alert_days: list = field(default_factory=list)
    alerts_automatic: int = 0

    def add_event(self, e: Event, ref: Reference) -> None:
        """One ledger event counted in its period (a `BUCKETED` kind)."""
        self.touched = True
        self.sample = self.sample or e.is_sample
        kind = e.kind
        if kind in _ACTIVITY and e.chain_id is not None:
            self.activity += 1
            self.char_activity += ref.characteristic(e.chain_id)
        if kind == K.NEED_POSTED:
            self.posting_firms |= _firms(ref, e)
        elif kind in (K.MATCH_ACCEPTED, K.PROJECT_CREATED):
            if kind == K.MATCH_ACCEPTED:
                self.accepted += 1
            else:
                self.projects += 1
            firms = _firms(ref, e)
            self.pairs |= {(firm, lab) for firm in firms for lab in e.org_ids
                           if ref.org_kind.get(lab) in RESEARCH_KINDS}
            self.collaborating |= firms
            self.cross += len({ref.unit_of(o) for o in e.org_ids} - {None}) >= 2
            self.neighbour += any(ref.org_region.get(o) in ref.neighbour_ids for o in e.org_ids)
            self.collab_chains.add(e.chain_id)
        elif kind == K.PARTNERSHIP_CREATED:
            self.collaborating |= _firms(ref, e)
            value = float(e.data.get("value_cny", 0))
            self.partnerships += 1
            self.partnership_value += value
            row = self.by_country.setdefault(e.data.get("country", "??"), [0, 0.0])
            row[0] += 1
            row[1] += value
        elif kind == K.PROJECT_COMPLETED:
            self.completed += 1
        elif kind == K.PROJECT_TERMINATED:
            self.terminated += 1
        elif kind == K.PROJECT_COMMERCIALISED:
            self.commercialised += 1
        elif kind == K.ALERT_RESOLVED:
            self.alert_days.append(_days(_raised_at(e), e.at))
            self.alerts_automatic += bool(e.data.get("automatic"))

    def add_need(self, n: "NeedView", e: Event, ref: Reference) -> None:
        """A need of the period's cohort (posted in it), as far as it has come."""
        self.touched = True
        self.sample = self.sample or e.is_sample
        self.posted += 1
        for stage in n.stages:
            if stage in self.reached:
                self.reached[stage] += 1
        for step, days in n.spans.items():
            self.spans[step].append(days)
        if n.accepted_days is not None:
            self.accepted_days.append(n.accepted_days)
        if n.response_days is not None:
            self.response_days.append(n.response_days)
        if n.stale is not None:
            self.judged += 1
            self.stale += n.stale
        if n.qualified is not None:
            self.judged_7 += 1
            self.qualified += n.qualified
        self.strategic += ref.in_chains(e.chain_id, ref.strategic_chains)

    def add_project(self, p: Event, f: Facts, ref: Reference) -> None:
        """A project created in the period, with its latest contract value and major-project level."""
        self.touched = True
        self.sample = self.sample or p.is_sample
        detail = f.project_details.get(p.project_id, (p.at, p.id, 0.0, "none"))
        self.cohort_projects += 1
        self.contract_value += detail[2]
        if detail[3] in MAJOR_LEVELS:
            self.levels[detail[3]] = self.levels.get(detail[3], 0) + 1
        self.char_projects += ref.characteristic(p.chain_id)

    def merge(self, o: "Partial") -> None:
        """Add another partial's counts, sets and lists to this one."""
        self.touched |= o.touched
        self.sample |= o.sample
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(o, name))
        self.pairs |= o.pairs
        self.collaborating |= o.collaborating
        self.posting_firms |= o.posting_firms
        self.collab_chains |= o.collab_chains
        for country, (count, value) in o.by_country.items():
            row = self.by_country.setdefault(country, [0, 0.0])
            row[0] += count
            row[1] += value
        for stage, count in o.reached.items():
            self.reached[stage] += count
        for step, days in o.spans.items():
            self.spans[step] += days
        self.accepted_days += o.accepted_days
        self.response_days += o.response_days
        self.alert_days += o.alert_days
        for level, count in o.levels.items():
            self.levels[level] = self.levels.get(level, 0) + count


_COUNTS = ("accepted", "projects", "completed", "terminated", "commercialised", "cross", "neighbour", "partnerships",
           "partnership_value", "activity", "char_activity", "posted", "judged", "stale", "judged_7", "qualified",
           "strategic", "cohort_projects", "contract_value", "char_projects", "alerts_automatic")
_ACTIVITY = frozenset(k.value for k in ACTIVITY_KINDS)
def _firms(ref: Reference, e: Event) -> frozenset[int]:
    return frozenset(o for o in e.org_ids if ref.org_kind.get(o) == "firm")


def merge(partials: Iterable[Partial]) -> Partial:
    """One partial adding up several (leaves of a scope, months of a quarter or year)."""
    total = Partial()
    for p in partials:
        total.merge(p)
    return total


def finish_period(leaves: dict[Leaf, Partial], ref: Reference) -> dict[Scope, dict[str, Value]]:
    """Every scope's components from the period's leaf partials (the platform's totals from all of them)."""
    platform = {"all": sum(p.activity for p in leaves.values()), "char": sum(p.char_activity for p in leaves.values())}
    scopes: dict[Scope, Partial] = defaultdict(Partial)
    for (region_id, chain_id), partial in leaves.items():
        if not partial.touched:
            continue
        for r in ref.region_scopes(region_id):
            for c in ref.chain_scopes(chain_id):
                scopes[(r, c)].merge(partial)
    out: dict[Scope, dict[str, Value]] = {}
    for scope, partial in scopes.items():
        values = _scope_values(scope, partial, ref, platform)
        values["_sample"] = Value(float(partial.sample))
        out[scope] = values
    return out


def _scope_values(scope: Scope, p: Partial, ref: Reference, platform: dict[str, int]) -> dict[str, Value]:
    _region_id, chain_id = scope
    v: dict[str, Value] = {}

    # Shared cooperation
    v["accepted_matches"] = Value(p.accepted)
    v["joint_projects"] = Value(p.projects)
    active = p.collaborating | p.posting_firms
    per_100 = None if not active else 100.0 * len(p.pairs) / len(active)
    v["pairs_per_100_firms"] = Value(per_100, {"pairs": len(p.pairs), "active_firms": len(active)})
    v["collaborating_firm_share"] = Value(_pct(len(p.collaborating), len(active)),
                                          {"collaborating_firms": len(p.collaborating), "active_firms": len(active)})
    v["cross_district_collaborations"] = Value(p.cross)
    v["neighbour_city_collaborations"] = Value(p.neighbour)
    by_country = {country: {"count": count, "value_cny": value} for country, (count, value) in p.by_country.items()}
    v["foreign_partnerships"] = Value(p.partnerships, {"by_country": by_country})
    v["foreign_partnership_value"] = Value(p.partnership_value, {"by_country": by_country})

    # Innovation promotion: the cohort of needs posted in the period, as far as each has come by now
    reached = {"posted": p.posted, **p.reached}
    steps = {f"{a}_to_{b}": _pct(reached[b], reached[a]) for a, b in _STEPS}
    median_days = {step: _median(days) for step, days in p.spans.items()}
    funnel = {"reached": reached, "conversion": steps, "median_days": median_days}
    v["matched_need_share"] = Value(_pct(reached["matched"], reached["posted"]), funnel)
    v["need_to_project_conversion"] = Value(_pct(reached["project"], reached["posted"]), funnel)
    v["median_days_to_acceptance"] = Value(_median(p.accepted_days))
    v["project_completion_share"] = Value(_pct(p.completed, p.completed + p.terminated),
                                          {"completed": p.completed, "terminated": p.terminated})
    v["commercialised_projects"] = Value(p.commercialised)
    v["contract_value"] = Value(p.contract_value, {"projects": p.cohort_projects})

    # Intelligent sensing
    v["median_days_to_first_response"] = Value(_median(p.response_days), {"responded_needs": len(p.response_days)})
    v["stale_need_share"] = Value(_pct(p.stale, p.judged), {"stale": p.stale, "judged": p.judged})
    v["qualified_match_within_7_days"] = Value(_pct(p.qualified, p.judged_7),
                                               {"qualified": p.qualified, "judged": p.judged_7})
    v["median_days_to_resolve_alert"] = Value(
        _median(p.alert_days), {"resolved_alerts": len(p.alert_days), "automatic": p.alerts_automatic})

    # Strategic planning
    v["major_projects"] = Value(sum(p.levels.values()), {"by_level": dict(p.levels)})
    relevant = [(code, chains) for code, chains in ref.key_tasks
                if chain_id is None or any(c == chain_id or chain_id in ref.chain_ancestry.get(c, (c,))
                                           for c in chains)]
    covered = sorted(code for code, chains in relevant if any(ref.in_chains(c, chains) for c in p.collab_chains))
    v["key_task_coverage"] = Value(_pct(len(covered), len(relevant)), {"covered": covered,
                                                                      "tasks": [c for c, _x in relevant]})
    v["strategic_chain_need_share"] = Value(_pct(p.strategic, p.posted), {"strategic_needs": p.strategic})

    # Characteristic development
    region_share = _pct(p.char_activity, p.activity)
    platform_share = _pct(platform["char"], platform["all"])
    lq = None if region_share is None or not platform_share else region_share / platform_share
    v["characteristic_lq"] = Value(lq, {"region_share": region_share, "platform_share": platform_share})
    v["characteristic_project_share"] = Value(_pct(p.char_projects, p.cohort_projects),
                                              {"projects": p.cohort_projects})

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
