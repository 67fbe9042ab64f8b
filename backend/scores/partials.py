"""The per-event update by delta: what one ledger event changes in the stored partials.

Each (period, region scope, chain scope) keeps a partial (`components.new_state`): counters, distinct counts,
histograms of whole days and the cohort's needs per posting day. An event adds its own part to the partials
of its day's month, quarter and year in every scope it counts in; a need's or a project's part in its cohort
(the periods it was posted or created in) is taken back and added again whenever its facts change (a first
response, an acceptance, a later contract value). The facts kept between events (`score_facts`) are minima and
latest values, so any order of delivery ends in the same state; `score_applied_events` makes a redelivered
event count once. The full recompute builds the same state from the ledger alone (`service.recompute`)."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from backend.ledger.kinds import EventKind as K
from backend.scores import repository
from backend.scores.components import (
    _ACTIVITY,
    BUCKETED,
    NEED_FIELDS,
    PROJECT_FIELDS,
    RESPONSE_KINDS,
    Event,
    Period,
    Reference,
    add_event,
    add_need,
    add_project,
    event_fields,
    local_day,
    members,
    need_part,
    new_state,
    period_of,
    periods_of,
    project_part,
)

PartialKey = tuple[Period, int | None, int | None]  # (period, region id or None: the platform, chain id or None)


def key_of(period: Period, region_id: int | None, chain_id: int | None) -> str:
    """The stored key of a partial (`score_partials.key`)."""
    return (f"{period.kind}:{period.start.isoformat()}:{'platform' if region_id is None else region_id}:"
            f"{'*' if chain_id is None else chain_id}")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _first(stages: dict, stage: str, at: datetime | None) -> None:
    if at is not None and (stage not in stages or at < _at(stages[stage])):
        stages[stage] = at.isoformat()


def _incr(st: dict, name: str, by: int) -> None:
    st[name] += by


def _covers(period: Period, region_id: int, chain_id: int | None, entry: list, ref: Reference) -> bool:
    """Whether a member's (month, leaf region, leaf chain) entry counts in this period and scope."""
    month, leaf_region, leaf_chain = entry
    return (period.start.toordinal() <= month <= period.end.toordinal()
            and region_id in ref.region_scopes(leaf_region) and chain_id in ref.chain_scopes(leaf_chain))


class Update:
    """The changes a batch of events makes: facts read and written by key, and operations per partial."""

    def __init__(self, session: Session, ref: Reference, qualified_score: float) -> None:
        self.session, self.ref, self.qualified_score = session, ref, qualified_score
        self.facts: dict[str, dict] = {}
        self.dirty: set[str] = set()
        self.ops: dict[str, list[tuple[Callable, tuple, tuple[str, ...]]]] = defaultdict(list)
        self.partials: dict[str, PartialKey] = {}
        self.match_needs: dict[int, int | None] = {}  # a created project's match -> its need, when counted

    # Facts, read once per batch.
    def prefetch(self, keys: set[str]) -> None:
        missing = [k for k in keys if k not in self.facts]
        found = repository.facts_of(self.session, missing)
        for k in missing:
            self.facts[k] = found.get(k, {})

    def fact(self, key: str) -> dict:
        if key not in self.facts:
            self.prefetch({key})
        self.dirty.add(key)
        return self.facts[key]

    # Operations on partials.
    def _op(self, period: Period, region_id: int | None, chain_id: int | None, fields: tuple[str, ...],
            fn: Callable, *args) -> None:  # noqa: ANN002
        key = key_of(period, region_id, chain_id)
        self.partials[key] = (period, region_id, chain_id)
        self.ops[key].append((fn, args, fields))

    def at_leaf(self, leaf: tuple[int | None, int | None], day: date, fields: tuple[str, ...], fn: Callable,
                *args) -> None:  # noqa: ANN002
        regions, chains = self.ref.region_scopes(leaf[0]), self.ref.chain_scopes(leaf[1])
        for period in periods_of(day):
            for r in regions:
                for c in chains:
                    self._op(period, r, c, fields, fn, *args)

    # Events.
    def apply(self, e: Event) -> None:
        ref = self.ref
        day = local_day(e.at)
        leaf = (e.region_id, e.chain_id)
        kind = e.kind
        if kind in BUCKETED:
            self.at_leaf(leaf, day, event_fields(e), add_event, e, ref)
            if kind in _ACTIVITY and e.chain_id is not None:
                for period in periods_of(day):
                    self._op(period, None, None, ("activity",), _incr, "activity", 1)
                    if ref.characteristic(e.chain_id):
                        self._op(period, None, None, ("char_activity",), _incr, "char_activity", 1)
            for key, role in members(e, ref):
                self._member(key, role, leaf, day)
        if kind == K.NEED_POSTED and e.need_id is not None:
            self._change_need(e.need_id, lambda nf: self._posted(nf, e))
        elif kind.startswith("match.") and e.match_id is not None and e.need_id is not None:
            self._register_match(e.match_id, e.need_id)
            self._change_need(e.need_id, lambda nf: self._match_stages(nf, e))
        elif kind.startswith("project.") and e.project_id is not None:
            self._change_project(e.project_id, lambda pf: self._project(pf, e))

    def _member(self, key: str, role: str, leaf: tuple[int | None, int | None], day: date) -> None:
        """A firm or pair active in a leaf and month: each scope and period that did not count it yet does."""
        mf = self.fact(key)
        entry = [period_of("month", day).start.toordinal(), leaf[0], leaf[1]]
        if entry in mf.get(role, []):
            return
        regions, chains = self.ref.region_scopes(leaf[0]), self.ref.chain_scopes(leaf[1])
        for period in periods_of(day):
            for r in regions:
                for c in chains:
                    def seen(roles: tuple[str, ...], period: Period = period, r: int = r, c: int | None = c) -> bool:
                        return any(_covers(period, r, c, x, self.ref) for name in roles for x in mf.get(name, []))
                    if role == "pair":
                        if not seen(("pair",)):
                            self._op(period, r, c, ("pairs",), _incr, "pairs", 1)
                        continue
                    if role == "collab" and not seen(("collab",)):
                        self._op(period, r, c, ("collaborating",), _incr, "collaborating", 1)
                    if not seen(("collab", "posting")):
                        self._op(period, r, c, ("active",), _incr, "active", 1)
        mf.setdefault(role, []).append(entry)

    # Needs: the posting and the first time each stage was reached.
    def _need_part(self, nf: dict) -> tuple | None:
        posted = nf.get("posted")
        if not posted:
            return None
        at, chain_id = _at(posted[0]), posted[3]
        stages = {stage: _at(t) for stage, t in nf.get("stages", {}).items()}
        return (posted[2], chain_id), local_day(at), need_part(at, chain_id, stages, self.ref)

    def _swap(self, before: tuple | None, after: tuple | None, fields, add) -> None:  # noqa: ANN001
        """Take a subject's old contribution (scope, day, part) back and count its new one, when they differ."""
        if before == after:
            return
        if before is not None:
            self.at_leaf(before[0], before[1], fields, add, before[2], -1)
        if after is not None:
            self.at_leaf(after[0], after[1], fields, add, after[2], 1)

    def _change_need(self, need_id: int, change: Callable[[dict], None]) -> None:
        nf = self.fact(f"need:{need_id}")
        before = self._need_part(nf)
        change(nf)
        self._swap(before, self._need_part(nf), NEED_FIELDS, add_need)

    @staticmethod
    def _posted(nf: dict, e: Event) -> None:
        posted = nf.get("posted")
        if not posted or (e.at, e.id) < (_at(posted[0]), posted[1]):
            nf["posted"] = [e.at.isoformat(), e.id, e.region_id, e.chain_id, e.is_sample]

    def _match_stages(self, nf: dict, e: Event) -> None:
        stages = nf.setdefault("stages", {})
        if e.kind == K.MATCH_PROPOSED:
            _first(stages, "matched", e.at)
            if float(e.data.get("fused_score") or 0) >= self.qualified_score:
                _first(stages, "qualified", e.at)
        if e.kind in RESPONSE_KINDS:
            _first(stages, "responded", e.at)
        if e.kind == K.MATCH_ACCEPTED:
            _first(stages, "accepted", e.at)

    def _register_match(self, match_id: int, need_id: int) -> None:
        """A match's need becomes known: projects created from the match before now count for the need."""
        key = f"match:{match_id}"
        if key not in self.facts:
            self.prefetch({key})
        if not self.facts[key].get("projects"):
            return
        for project_id in self.fact(key).pop("projects"):
            self._change_project(project_id, lambda pf: pf.__setitem__("need", need_id))

    # Projects: the creation, the latest details and the first completion and commercialisation.
    def _project_part(self, pf: dict) -> tuple | None:
        created = pf.get("created")
        if not created:
            return None
        detail = pf.get("detail") or [created[0], created[1], 0.0, "none"]
        return ((created[3], created[4]), local_day(_at(created[0])),
                project_part(created[4], detail[2], detail[3], self.ref))

    def _change_project(self, project_id: int, change: Callable[[dict], None]) -> None:
        pf = self.fact(f"project:{project_id}")
        before = self._project_part(pf)
        change(pf)
        self._swap(before, self._project_part(pf), PROJECT_FIELDS, add_project)
        if pf.get("need") is not None and pf.get("created"):
            self._change_need(pf["need"], lambda nf: self._fold(nf, pf))

    @staticmethod
    def _fold(nf: dict, pf: dict) -> None:
        """A linked project's stages are its need's too (the first of the need's projects)."""
        stages = nf.setdefault("stages", {})
        _first(stages, "project", _at(pf["created"][0]))
        for stage, at in pf.get("stages", {}).items():
            _first(stages, stage, _at(at))

    def _project(self, pf: dict, e: Event) -> None:
        if e.kind == K.PROJECT_CREATED:
            created = pf.get("created")
            if not created or (e.at, e.id) < (_at(created[0]), created[1]):
                pf["created"] = [e.at.isoformat(), e.id, e.match_id, e.region_id, e.chain_id, e.is_sample]
            match_id = pf["created"][2]
            if pf.get("need") is None and match_id is not None:
                # The match's need, from its events already counted (as the full recompute knows it: read with the
                # events, `repository.start_update`); a project waits in the match's facts until one is.
                pf["need"] = self.match_needs.get(match_id)
                if pf["need"] is None:
                    mf = self.fact(f"match:{match_id}")
                    if e.project_id not in mf.setdefault("projects", []):
                        mf["projects"].append(e.project_id)
        if e.kind in (K.PROJECT_CREATED, K.PROJECT_UPDATED):
            detail = pf.get("detail")
            if not detail or (e.at, e.id) > (_at(detail[0]), detail[1]):
                pf["detail"] = [e.at.isoformat(), e.id, float(e.data.get("contract_value_cny", 0)),
                                str(e.data.get("major_level", "none"))]
        if e.kind in (K.PROJECT_COMPLETED, K.PROJECT_COMMERCIALISED):
            _first(pf.setdefault("stages", {}), "completed", e.at)
        if e.kind == K.PROJECT_COMMERCIALISED:
            _first(pf.setdefault("stages", {}), "commercialised", e.at)

    # The result.
    def finish(self, regions: tuple[int, ...]) -> tuple[dict[str, "Change"], dict[str, tuple]]:
        """Apply the operations to the stored partials (an absent one starts empty); return every changed
        partial by key (the caller writes it back, with the rows it wrote from it), and what was read beside
        them in the same query: the platform's partial of each period (with a state), and (without) the rows of
        every region's all-chains scope in a period whose platform totals moved (`regions`: the scored ones; their
        location quotient moves) and of the periods before and after each of these scopes."""
        platform = {key_of(p, None, None) for p, _r, _c in self.partials.values()} - set(self.ops)
        scopes = {(p, r, c) for p, r, c in self.partials.values() if r is not None}
        scopes |= {(p, r, None) for p, region_id, _c in self.partials.values() if region_id is None for r in regions}
        around = {key_of(q, r, c) for p, r, c in scopes for q in (p, p.previous(), p.next())} - set(self.ops)
        stored = repository.partials_of(self.session, [*self.ops, *platform], list(around))
        changed = {}
        for key, ops in self.ops.items():
            state, rows = stored.pop(key, (None, None))
            st = state or new_state()
            change = Change(*self.partials[key], st, set(), st["n"], st["sample"] > 0, rows)
            for fn, args, fields in ops:
                fn(st, *args)
                change.fields.update(fields)
            changed[key] = change
        return changed, stored

    def dirty_facts(self) -> dict[str, dict]:
        """The facts this update read and may have changed, to write back."""
        return {k: self.facts[k] for k in self.dirty}


@dataclass
class Change:
    """A partial an update changed: what it is, its new state, the fields changed, whether it had events and
    sample events before, and the rows written from it (`score_partials.rows`)."""

    period: Period
    region_id: int | None
    chain_id: int | None
    state: dict
    fields: set[str]
    had_events: int
    had_sample: bool
    rows: dict | None
