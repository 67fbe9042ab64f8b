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
    # The day the stored state was built on (None: a computation without one). A need posted `STALE_DAYS` days or
    # more before it is judged on that day and every later one, so it counts in the partial's totals of judged
    # needs instead of per posting day: the per-day list holds two weeks, not the whole period.
    state_day: date | None = None

    def folded(self, day: date) -> bool:
        """Whether a need posted on `day` counts in the judged totals rather than per posting day."""
        return self.state_day is not None and day + timedelta(days=STALE_DAYS) <= self.state_day

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


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


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


def whole_days(start: datetime, end: datetime) -> int:
    """Whole days elapsed from `start` to `end` (0 when `end` is earlier): the unit of every median, so a
    histogram of integers holds a median exactly."""
    return int(_days(start, end))


def _raised_at(e: Event) -> datetime:
    raised = datetime.fromisoformat(str(e.data["raised_at"]))
    return raised if raised.tzinfo is not None else raised.replace(tzinfo=UTC)


def need_part(posted_at: datetime, chain_id: int | None, stages: dict[str, datetime], ref: Reference) -> dict:
    """What one posted need adds to its cohort's partial, as far as it has come (stages by first time)."""
    responded = stages.get("responded")
    day = local_day(posted_at)
    return {
        "day": day.toordinal(),
        "folded": ref.folded(day),
        "stages": [s for s in FUNNEL[1:] if s in stages],
        "spans": {f"{a}_to_{b}": whole_days(posted_at if a == "posted" else stages[a], stages[b])
                  for a, b in _STEPS if b in stages and (a == "posted" or a in stages)},
        "accepted": whole_days(posted_at, stages["accepted"]) if "accepted" in stages else None,
        "response": whole_days(posted_at, responded) if responded is not None else None,
        "ok14": int(responded is not None and _days(posted_at, responded) <= STALE_DAYS),
        "q7": int("qualified" in stages and _days(posted_at, stages["qualified"]) <= QUALIFIED_DAYS),
        "strategic": int(ref.in_chains(chain_id, ref.strategic_chains)),
    }


def project_part(chain_id: int | None, value: float, level: str, ref: Reference) -> dict:
    """What one project adds to the partial of the period it was created in (its latest value and level)."""
    return {"cents": round(value * 100), "level": level, "char": int(ref.characteristic(chain_id))}


Leaf = tuple[int | None, int | None]  # the (region, chain) an event was written with
# Counters of a partial; values are kept in fen (integer cents), so sums are exact in any order.
_COUNTS = ("n", "sample", "accepted", "projects", "completed", "terminated", "commercialised", "cross", "neighbour",
           "partnerships", "partnership_cents", "activity", "char_activity", "posted", "strategic", "cohort_projects",
           "contract_cents", "char_projects", "alerts_automatic", "pairs", "collaborating", "active",
           "judged", "judged_ok14", "judged_q7")
_ACTIVITY = frozenset(k.value for k in ACTIVITY_KINDS)


def new_state() -> dict:
    """An empty partial: counters, the chains collaborated in, and per-key counters (a key's count 0 is absent):
    `countries` (count, fen), `reached` (needs per funnel stage), `levels` (major projects per level), `hist`
    (whole days -> count, per median), `days` (posting day ordinal -> needs, answered within 14 days, qualified
    match within 7 days) for the needs not yet judged on the state's day; those judged are in the counters
    `judged`, `judged_ok14` and `judged_q7` (`Reference.folded`)."""
    return {**dict.fromkeys(_COUNTS, 0), "chains": [], "countries": {}, "reached": {}, "levels": {}, "hist": {},
            "days": {}}


def _bump(counter: dict, key: str, by: int) -> None:
    value = counter.get(key, 0) + by
    if value:
        counter[key] = value
    else:
        counter.pop(key, None)


def _bump_vector(counter: dict, key: str, by: list[int]) -> None:
    value = [a + b for a, b in zip(counter.get(key, [0] * len(by)), by, strict=True)]
    if any(value):
        counter[key] = value
    else:
        counter.pop(key, None)


def add_event(st: dict, e: Event, ref: Reference) -> None:
    """One ledger event counted in its period (a `BUCKETED` kind), except its firms and pairs (`members`)."""
    st["n"] += 1
    st["sample"] += e.is_sample
    kind = e.kind
    if kind in _ACTIVITY and e.chain_id is not None:
        st["activity"] += 1
        st["char_activity"] += ref.characteristic(e.chain_id)
    if kind in (K.MATCH_ACCEPTED, K.PROJECT_CREATED):
        st["accepted" if kind == K.MATCH_ACCEPTED else "projects"] += 1
        st["cross"] += len({ref.unit_of(o) for o in e.org_ids} - {None}) >= 2
        st["neighbour"] += any(ref.org_region.get(o) in ref.neighbour_ids for o in e.org_ids)
        if e.chain_id not in st["chains"]:
            st["chains"].append(e.chain_id)
    elif kind == K.PARTNERSHIP_CREATED:
        cents = round(float(e.data.get("value_cny", 0)) * 100)
        st["partnerships"] += 1
        st["partnership_cents"] += cents
        _bump_vector(st["countries"], str(e.data.get("country", "??")), [1, cents])
    elif kind == K.PROJECT_COMPLETED:
        st["completed"] += 1
    elif kind == K.PROJECT_TERMINATED:
        st["terminated"] += 1
    elif kind == K.PROJECT_COMMERCIALISED:
        st["commercialised"] += 1
    elif kind == K.ALERT_RESOLVED:
        _bump(st["hist"].setdefault("alert", {}), str(whole_days(_raised_at(e), e.at)), 1)
        st["alerts_automatic"] += bool(e.data.get("automatic"))


def members(e: Event, ref: Reference) -> list[tuple[str, str]]:
    """The (member key, role) an event makes active in its leaf and month: a posting firm (`posting`), a firm
    party to a collaboration (`collab`), a firm–university pair (`pair`)."""
    firms = sorted(o for o in e.org_ids if ref.org_kind.get(o) == "firm")
    if e.kind == K.NEED_POSTED:
        return [(f"firm:{f}", "posting") for f in firms]
    if e.kind in (K.MATCH_ACCEPTED, K.PROJECT_CREATED):
        labs = sorted(o for o in e.org_ids if ref.org_kind.get(o) in RESEARCH_KINDS)
        return [(f"firm:{f}", "collab") for f in firms] + [(f"pair:{f}:{lab}", "pair") for f in firms for lab in labs]
    if e.kind == K.PARTNERSHIP_CREATED:
        return [(f"firm:{f}", "collab") for f in firms]
    return []


def add_need(st: dict, part: dict, sign: int = 1) -> None:
    """Add (sign 1) or take back (sign -1) one cohort need's part (`need_part`)."""
    st["posted"] += sign
    st["strategic"] += sign * part["strategic"]
    for stage in part["stages"]:
        _bump(st["reached"], stage, sign)
    hist = st["hist"]
    for step, days in part["spans"].items():
        _bump(hist.setdefault(step, {}), str(days), sign)
    for name in ("accepted", "response"):
        if part[name] is not None:
            _bump(hist.setdefault(name, {}), str(part[name]), sign)
    if part["folded"]:
        st["judged"] += sign
        st["judged_ok14"] += sign * part["ok14"]
        st["judged_q7"] += sign * part["q7"]
    else:
        _bump_vector(st["days"], str(part["day"]), [sign, sign * part["ok14"], sign * part["q7"]])


def add_project(st: dict, part: dict, sign: int = 1) -> None:
    """Add (sign 1) or take back (sign -1) one cohort project's part (`project_part`)."""
    st["cohort_projects"] += sign
    st["contract_cents"] += sign * part["cents"]
    st["char_projects"] += sign * part["char"]
    if part["level"] in MAJOR_LEVELS:
        _bump(st["levels"], part["level"], sign)


def merge_state(into: dict, other: dict) -> None:
    """Add another partial's counters to `into` (distinct counts are not additive: the caller sets them)."""
    for name in _COUNTS:
        into[name] += other[name]
    for chain in other["chains"]:
        if chain not in into["chains"]:
            into["chains"].append(chain)
    for name in ("countries", "days"):
        vectors = into[name]
        for key, vector in other[name].items():
            found = vectors.get(key)
            if found is None:
                vectors[key] = list(vector)
            else:
                vectors[key] = [a + b for a, b in zip(found, vector, strict=True)]
                if not any(vectors[key]):
                    del vectors[key]
    for name in ("reached", "levels"):
        for key, count in other[name].items():
            _bump(into[name], key, count)
    for name, counts in other["hist"].items():
        hist = into["hist"].setdefault(name, {})
        for key, count in counts.items():
            _bump(hist, key, count)


@dataclass
class Partial:
    """What the events of one (region, chain) leaf add to a period (`state`, see `new_state`), with the sets its
    distinct counts come from. A scope's and a quarter's or year's figures are merges of these, so each event is
    read once per computation, not once per scope and period it counts in."""

    state: dict = field(default_factory=new_state)
    pairs: set = field(default_factory=set)
    collaborating: set = field(default_factory=set)
    posting_firms: set = field(default_factory=set)

    def add_event(self, e: Event, ref: Reference) -> None:
        add_event(self.state, e, ref)
        for key, role in members(e, ref):
            {"posting": self.posting_firms, "collab": self.collaborating, "pair": self.pairs}[role].add(key)

    def merge(self, o: "Partial") -> None:
        merge_state(self.state, o.state)
        self.pairs |= o.pairs
        self.collaborating |= o.collaborating
        self.posting_firms |= o.posting_firms

    def finished(self) -> dict:
        """The state with its distinct counts filled in from the sets."""
        st = self.state
        st["pairs"], st["collaborating"] = len(self.pairs), len(self.collaborating)
        st["active"] = len(self.collaborating | self.posting_firms)
        return st


def merge(partials: Iterable[Partial]) -> Partial:
    """One partial adding up several (leaves of a scope, months of a quarter or year)."""
    total = Partial()
    for p in partials:
        total.merge(p)
    return total


def platform_totals(states: Iterable[dict]) -> tuple[int, int]:
    """The location quotient's platform totals (activity with a chain, in characteristic chains)."""
    found = [0, 0]
    for st in states:
        found[0] += st["activity"]
        found[1] += st["char_activity"]
    return found[0], found[1]


def scope_states(leaves: dict[Leaf, Partial], ref: Reference) -> dict[Scope, dict]:
    """Every scope's finished state from a period's leaf partials (a scope gets one when an event is in it)."""
    scopes: dict[Scope, Partial] = defaultdict(Partial)
    for (region_id, chain_id), partial in leaves.items():
        if not partial.state["n"]:
            continue
        for r in ref.region_scopes(region_id):
            for c in ref.chain_scopes(chain_id):
                scopes[(r, c)].merge(partial)
    return {scope: partial.finished() for scope, partial in scopes.items()}


def finish_period(leaves: dict[Leaf, Partial], ref: Reference, as_of: date) -> dict[Scope, dict[str, Value]]:
    """Every scope's components from the period's leaf partials (the platform's totals from all of them)."""
    platform = platform_totals(p.state for p in leaves.values())
    return {scope: scope_values(scope, st, ref, platform, as_of)
            for scope, st in scope_states(leaves, ref).items()}


def compute_period(period: Period, events: Iterable[Event], f: Facts, ref: Reference, *, as_of: date,
                   ) -> dict[Scope, dict[str, Value]]:
    """Every component of every scope with data in `period`, with `"_sample"` (a `Value` whose raw is 1.0
    when sample events contributed).

    `events` are the ledger events (those outside the period are skipped); `f` holds the stage facts of at
    least every need and project that starts in the period."""
    leaves: dict[Leaf, Partial] = defaultdict(Partial)
    for e in events:
        if e.kind in BUCKETED and period.contains(local_day(e.at)):
            leaves[(e.region_id, e.chain_id)].add_event(e, ref)
    for e in f.need_posted.values():
        if period.contains(local_day(e.at)):
            add_need(leaves[(e.region_id, e.chain_id)].state,
                     need_part(e.at, e.chain_id, f.need_stage.get(e.need_id, {}), ref))
    for e in f.project_created.values():
        if period.contains(local_day(e.at)):
            detail = f.project_details.get(e.project_id, (e.at, e.id, 0.0, "none"))
            add_project(leaves[(e.region_id, e.chain_id)].state, project_part(e.chain_id, detail[2], detail[3], ref))
    return finish_period(leaves, ref, as_of)


def _hist_median(hist: dict[str, int] | None) -> float | None:
    """The median of a histogram of whole days (the mean of the two middle values for an even count)."""
    if not hist:
        return None
    total = sum(hist.values())
    low_rank, high_rank = (total - 1) // 2, total // 2
    seen, low = 0, None
    for key in sorted(hist, key=int):
        seen += hist[key]
        if low is None and seen > low_rank:
            low = int(key)
        if seen > high_rank:
            return (low + int(key)) / 2
    return None


def _hist_count(hist: dict[str, int] | None) -> int:
    return sum(hist.values()) if hist else 0


# The state's fields each component reads (`scope_values`): an update recomputes only the components whose
# fields it changed. "platform" is the period's platform totals; "hist:<name>" one histogram.
_SPANS = tuple(f"hist:{a}_to_{b}" for a, b in _STEPS)
READS: dict[str, tuple[str, ...]] = {
    "accepted_matches": ("accepted",),
    "joint_projects": ("projects",),
    "pairs_per_100_firms": ("pairs", "active"),
    "collaborating_firm_share": ("collaborating", "active"),
    "cross_district_collaborations": ("cross",),
    "neighbour_city_collaborations": ("neighbour",),
    "foreign_partnerships": ("partnerships", "partnership_cents", "countries"),
    "foreign_partnership_value": ("partnerships", "partnership_cents", "countries"),
    "matched_need_share": ("posted", "reached", *_SPANS),
    "need_to_project_conversion": ("posted", "reached", *_SPANS),
    "median_days_to_acceptance": ("hist:accepted",),
    "project_completion_share": ("completed", "terminated"),
    "commercialised_projects": ("commercialised",),
    "contract_value": ("contract_cents", "cohort_projects"),
    "median_days_to_first_response": ("hist:response",),
    "stale_need_share": ("days",),
    "qualified_match_within_7_days": ("days",),
    "median_days_to_resolve_alert": ("hist:alert", "alerts_automatic"),
    "major_projects": ("levels",),
    "key_task_coverage": ("chains",),
    "strategic_chain_need_share": ("strategic", "posted"),
    "characteristic_lq": ("activity", "char_activity", "platform"),
    "characteristic_project_share": ("char_projects", "cohort_projects"),
}
READ_BY: dict[str, frozenset[str]] = {}
for _code, _fields in READS.items():
    for _name in _fields:
        READ_BY[_name] = READ_BY.get(_name, frozenset()) | {_code}


def event_fields(e: Event) -> tuple[str, ...]:
    """The state fields `add_event` changes for this event."""
    fields = ["n", "sample"]
    kind = e.kind
    if kind in _ACTIVITY and e.chain_id is not None:
        fields += ["activity", "char_activity"]
    if kind in (K.MATCH_ACCEPTED, K.PROJECT_CREATED):
        fields += ["accepted" if kind == K.MATCH_ACCEPTED else "projects", "cross", "neighbour", "chains"]
    elif kind == K.PARTNERSHIP_CREATED:
        fields += ["partnerships", "partnership_cents", "countries"]
    elif kind in (K.PROJECT_COMPLETED, K.PROJECT_TERMINATED, K.PROJECT_COMMERCIALISED):
        fields.append(kind.split(".")[1])
    elif kind == K.ALERT_RESOLVED:
        fields += ["hist:alert", "alerts_automatic"]
    return tuple(fields)


NEED_FIELDS = ("posted", "strategic", "reached", *_SPANS, "hist:accepted", "hist:response", "days")
PROJECT_FIELDS = ("cohort_projects", "contract_cents", "char_projects", "levels")


def scope_values(scope: Scope, st: dict, ref: Reference, platform: tuple[int, int], as_of: date,
                 only: frozenset[str] | set[str] | None = None) -> dict[str, Value]:
    """The components of one scope and period from its state (`only` these when given), with `"_sample"`;
    `platform` is the period's (activity, characteristic activity) over all leaves; `as_of` the day of
    computation (judged needs)."""
    _region_id, chain_id = scope
    v: dict[str, Value] = {}

    def want(*codes: str) -> bool:
        return only is None or not only.isdisjoint(codes)

    # Shared cooperation
    if want("accepted_matches", "joint_projects", "cross_district_collaborations", "neighbour_city_collaborations"):
        v["accepted_matches"] = Value(st["accepted"])
        v["joint_projects"] = Value(st["projects"])
        v["cross_district_collaborations"] = Value(st["cross"])
        v["neighbour_city_collaborations"] = Value(st["neighbour"])
    if want("pairs_per_100_firms", "collaborating_firm_share"):
        active, pairs, collaborating = st["active"], st["pairs"], st["collaborating"]
        v["pairs_per_100_firms"] = Value(None if not active else 100.0 * pairs / active,
                                         {"pairs": pairs, "active_firms": active})
        v["collaborating_firm_share"] = Value(_pct(collaborating, active),
                                              {"collaborating_firms": collaborating, "active_firms": active})
    if want("foreign_partnerships", "foreign_partnership_value"):
        by_country = {country: {"count": count, "value_cny": cents / 100} for country, (count, cents)
                      in st["countries"].items()}
        v["foreign_partnerships"] = Value(st["partnerships"], {"by_country": by_country})
        v["foreign_partnership_value"] = Value(st["partnership_cents"] / 100, {"by_country": by_country})

    # Innovation promotion: the cohort of needs posted in the period, as far as each has come by now
    if want("matched_need_share", "need_to_project_conversion"):
        reached = {"posted": st["posted"], **{stage: st["reached"].get(stage, 0) for stage in FUNNEL[1:]}}
        steps = {f"{a}_to_{b}": _pct(reached[b], reached[a]) for a, b in _STEPS}
        hist = st["hist"]  # read only by the components that need it: a stored state decodes it when first read
        median_days = {f"{a}_to_{b}": _hist_median(hist.get(f"{a}_to_{b}")) for a, b in _STEPS}
        funnel = {"reached": reached, "conversion": steps, "median_days": median_days}
        # The funnel is the detail of the deeper component only: a need reaching a later stage then rewrites one
        # row per scope, not two (the shallower one's value and detail do not move).
        v["matched_need_share"] = Value(_pct(reached["matched"], reached["posted"]),
                                        {"matched": reached["matched"], "posted": reached["posted"]})
        v["need_to_project_conversion"] = Value(_pct(reached["project"], reached["posted"]), funnel)
    if want("median_days_to_acceptance"):
        v["median_days_to_acceptance"] = Value(_hist_median(st["hist"].get("accepted")))
    if want("project_completion_share", "commercialised_projects", "contract_value"):
        v["project_completion_share"] = Value(_pct(st["completed"], st["completed"] + st["terminated"]),
                                              {"completed": st["completed"], "terminated": st["terminated"]})
        v["commercialised_projects"] = Value(st["commercialised"])
        v["contract_value"] = Value(st["contract_cents"] / 100, {"projects": st["cohort_projects"]})

    # Intelligent sensing: a need is judged once it is 14 (7) days old on the day of computation
    if want("median_days_to_first_response"):
        hist = st["hist"]
        v["median_days_to_first_response"] = Value(_hist_median(hist.get("response")),
                                                   {"responded_needs": _hist_count(hist.get("response"))})
    if want("stale_need_share", "qualified_match_within_7_days"):
        today = as_of.toordinal()
        # Folded needs are judged on the state's day, and so on any later `as_of` (the update never runs earlier)
        judged = judged_7 = st["judged"]
        stale, qualified = st["judged"] - st["judged_ok14"], st["judged_q7"]
        for day, (n, ok14, q7) in st["days"].items():
            posted_on = int(day)
            if posted_on + STALE_DAYS <= today:
                judged += n
                stale += n - ok14
            if posted_on + QUALIFIED_DAYS <= today:
                judged_7 += n
                qualified += q7
        v["stale_need_share"] = Value(_pct(stale, judged), {"stale": stale, "judged": judged})
        v["qualified_match_within_7_days"] = Value(_pct(qualified, judged_7),
                                                   {"qualified": qualified, "judged": judged_7})
    if want("median_days_to_resolve_alert"):
        hist = st["hist"]
        v["median_days_to_resolve_alert"] = Value(
            _hist_median(hist.get("alert")),
            {"resolved_alerts": _hist_count(hist.get("alert")), "automatic": st["alerts_automatic"]})

    # Strategic planning
    if want("major_projects"):
        levels = dict(sorted(st["levels"].items()))
        v["major_projects"] = Value(sum(levels.values()), {"by_level": levels})
    if want("key_task_coverage"):
        relevant = [(code, chains) for code, chains in ref.key_tasks
                    if chain_id is None or any(c == chain_id or chain_id in ref.chain_ancestry.get(c, (c,))
                                               for c in chains)]
        covered = sorted(code for code, chains in relevant if any(ref.in_chains(c, chains) for c in st["chains"]))
        v["key_task_coverage"] = Value(_pct(len(covered), len(relevant)), {"covered": covered,
                                                                          "tasks": [c for c, _x in relevant]})
    if want("strategic_chain_need_share"):
        v["strategic_chain_need_share"] = Value(_pct(st["strategic"], st["posted"]),
                                                {"strategic_needs": st["strategic"]})

    # Characteristic development
    if want("characteristic_lq"):
        region_share = _pct(st["char_activity"], st["activity"])
        platform_share = _pct(platform[1], platform[0])
        lq = None if region_share is None or not platform_share else round(region_share / platform_share, 3)
        # Kept to one more decimal than the page shows (and the shares to the page's one): one event anywhere moves
        # the platform's share by a few thousandths of a point, which otherwise rewrote every district's row.
        v["characteristic_lq"] = Value(lq, {"region_share": _round(region_share, 1),
                                            "platform_share": _round(platform_share, 1)})
    if want("characteristic_project_share"):
        v["characteristic_project_share"] = Value(_pct(st["char_projects"], st["cohort_projects"]),
                                                  {"projects": st["cohort_projects"]})

    if chain_id is not None:
        for code in WHOLE_CHAIN_ONLY:
            if code in v:
                v[code] = Value(None, {"not_applicable": "single chain"})
    if only is not None:
        v = {code: value for code, value in v.items() if code in only}
    v["_sample"] = Value(float(st["sample"] > 0))
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
