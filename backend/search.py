"""Board search: the matching engine's lexical (BM25) and semantic (e5) channels over the postings, fused.

A query is tokenised as the engine indexes postings (`matching.lexical`) and ranked by exact BM25 over the
`lexical` column; it is also embedded once with the multilingual e5 model (the `query:` side, as
`backend.matches.matching.query_vectors` does) and ranked by cosine distance on the `embedding` column
(HNSW). The two rankings are fused by reciprocal rank fusion. A semantic neighbour counts only above a
similarity floor, so a query about nothing on the board finds nothing instead of the nearest noise.

Access: a need is searched by its text only where `access.readable_needs_clause` holds, so a word of a
confidential need's hidden text finds nothing; without a query the board lists what
`access.visible_needs_clause` allows (confidential needs by their summary). Only open needs and active
capabilities are on the boards.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, joinedload

from backend import access
from backend.auth import Principal
from backend.capabilities.models import Capability, CapabilityKind, CapabilityStatus
from backend.matches import graphs
from backend.needs.models import Need, NeedStatus
from backend.needs.repository import within_deadline
from backend.organisations.models import Organisation
from backend.regions.models import Region
from matching import channels as channel_registry
from matching import lexical
from matching.fusion import rrf
from matching.text import clean_text

# What a query may hold; longer input is cut here (the lexical side keeps at most MAX_QUERY_TERMS terms).
MAX_QUERY_CHARS = 1000
# Candidates each channel contributes before fusion; the fused list is what the pages browse.
CHANNEL_K = 200
SEMANTIC_K = 60
RRF_K = 60
# Cosine similarity a semantic neighbour needs to count, by (query language, posting language). e5 places a
# short Chinese query 0.82-0.87 from unrelated Chinese postings and above 0.88 from the ones it is about; in
# English the same bands sit about 0.03 lower, and across languages about 0.07 lower (measured on the sample
# data's keywords and titles). Lexical search finds the same-language postings the floors leave out.
SEMANTIC_FLOOR = {("zh", "zh"): 0.875, ("en", "en"): 0.84, ("zh", "en"): 0.79, ("en", "zh"): 0.80}
# Cross-language neighbours are ranked as if this much closer, so they interleave with same-language ones.
CROSS_LANGUAGE_GAP = 0.07
LANGUAGES = ("zh", "en")


@dataclass
class BoardFilters:
    """The narrowing a board offers; every field optional."""

    chain_id: int | None = None
    region_id: int | None = None
    trl: int | None = None
    kind: CapabilityKind | None = None
    language: str | None = None


@dataclass
class Found:
    """One page of a board: the postings in order, the total, and whether a query ranked them."""

    items: list
    total: int
    searched: bool


def clean_query(q: str | None) -> str:
    """The query as searched: control characters and unpaired surrogates removed, at most 1,000 characters."""
    raw = (q or "")[: MAX_QUERY_CHARS * 2].encode("utf-8", "ignore").decode("utf-8", "ignore")
    return clean_text(raw)[:MAX_QUERY_CHARS]


def region_and_below(session: Session, region_id: int) -> list[int]:
    """A region and every region inside it (a city and its districts)."""
    found = [region_id]
    frontier = [region_id]
    while frontier:
        frontier = list(session.scalars(select(Region.id).where(Region.parent_id.in_(frontier))))
        frontier = [r for r in frontier if r not in found]
        found += frontier
    return found


def _need_conditions(session: Session, visible: ColumnElement[bool], f: BoardFilters) -> list:
    conds = [visible, Need.status == NeedStatus.OPEN, within_deadline()]
    if f.chain_id is not None:
        conds.append(Need.chain_id == f.chain_id)
    if f.region_id is not None:
        regions = region_and_below(session, f.region_id)
        firm_region = select(Organisation.region_id).where(Organisation.id == Need.organisation_id)
        conds.append(or_(Need.region_id.in_(regions),
                         and_(Need.region_id.is_(None), firm_region.scalar_subquery().in_(regions))))
    if f.trl is not None:
        conds += [Need.trl_min <= f.trl, Need.trl_max >= f.trl]
    if f.language in LANGUAGES:
        conds.append(Need.language == f.language)
    return conds


def _capability_conditions(session: Session, visible: ColumnElement[bool], f: BoardFilters) -> list:
    conds = [visible, Capability.status == CapabilityStatus.ACTIVE]
    if f.chain_id is not None:
        conds.append(Capability.chain_id == f.chain_id)
    if f.region_id is not None:
        regions = region_and_below(session, f.region_id)
        conds.append(Capability.organisation_id.in_(
            select(Organisation.id).where(Organisation.region_id.in_(regions))))
    if f.trl is not None:
        conds += [Capability.trl.is_not(None), Capability.trl >= f.trl]
    if f.kind is not None:
        conds.append(Capability.kind == f.kind)
    if f.language in LANGUAGES:
        conds.append(Capability.language == f.language)
    return conds


def _lexical(session: Session, target: type, conds: list, q: str) -> list[int]:
    """BM25 over the eligible postings, best first: the matching engine's tokens and its lexical channel (the
    impact-ordered index with exact rescoring, so a board search reads a few thousand rows at any size)."""
    from backend.matches.matching import lexical_search

    terms = lexical.search_terms(lexical.query_tokens(q))
    if not lexical.tsquery_literal(terms):
        return []
    # The conditions hold only typed values (ids, enum codes, known language codes), so they can be inlined.
    eligible = select(target.id).where(*conds).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    scores = lexical_search(session, target, eligible, terms, CHANNEL_K)
    return sorted(scores, key=lambda i: -scores[i])


def query_vector(q: str):  # noqa: ANN201 - a numpy vector
    """The query embedded once with the engine's multilingual model, on the `query:` side."""
    from backend.matches.matching import embedder

    return embedder(channel_registry.MULTILINGUAL).embed_queries([q])[0]


def _semantic(session: Session, target: type, conds: list, q: str) -> list[int]:
    """Nearest postings by cosine distance (HNSW), above the similarity floor, best first."""
    column = getattr(target, channel_registry.MULTILINGUAL.column)
    vector = query_vector(q)
    distance = column.cosine_distance(vector)
    # Filters are applied while walking the graph instead of after the first ef_search neighbours.
    dense_graph = graphs.prepare(session, target)
    rows = session.execute(
        select(target.id, target.language, distance.label("d"))
        .where(column.is_not(None), *conds)
        .order_by(graphs.ordering(column, vector) if dense_graph else distance).limit(SEMANTIC_K)
    ).all()
    query_language = lexical.detect_language(q)
    kept: dict[int, float] = {}
    for row in rows:
        similarity = 1.0 - float(row.d)
        if similarity >= SEMANTIC_FLOOR.get((query_language, row.language), 0.80):
            kept[row.id] = similarity + (0.0 if row.language == query_language else CROSS_LANGUAGE_GAP)
    return sorted(kept, key=lambda i: -kept[i])


def _ranked(session: Session, target: type, conds: list, q: str) -> list[int]:
    rankings = {"lexical": _lexical(session, target, conds, q), "semantic": _semantic(session, target, conds, q)}
    return [item for item, _score in rrf(rankings, k=RRF_K)]


def _page(session: Session, target: type, conds: list, q: str, limit: int, offset: int) -> Found:
    options = [joinedload(target.organisation), joinedload(target.chain)]
    if not q:
        stmt = select(target).where(*conds)
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.options(*options).order_by(target.created_at.desc(), target.id.desc())
                               .limit(limit).offset(offset)).unique()
        return Found(list(rows), int(total), searched=False)
    ids = _ranked(session, target, conds, q)
    chosen = ids[offset : offset + limit]
    by_id = {p.id: p for p in session.scalars(select(target).options(*options).where(target.id.in_(chosen))).unique()}
    return Found([by_id[i] for i in chosen if i in by_id], len(ids), searched=True)


def search_needs(session: Session, viewer: Principal, q: str | None, filters: BoardFilters | None = None,
                 limit: int = 20, offset: int = 0) -> Found:
    """Open needs for the needs board: ranked by the query if there is one, else newest first."""
    q = clean_query(q)
    visible = access.readable_needs_clause(viewer) if q else access.visible_needs_clause(viewer)
    conds = _need_conditions(session, visible, filters or BoardFilters())
    return _page(session, Need, conds, q, limit, offset)


def search_capabilities(session: Session, viewer: Principal, q: str | None, filters: BoardFilters | None = None,
                        limit: int = 20, offset: int = 0) -> Found:
    """Active capabilities for the capabilities board: ranked by the query if there is one, else newest first."""
    q = clean_query(q)
    conds = _capability_conditions(session, access.visible_capabilities_clause(viewer), filters or BoardFilters())
    return _page(session, Capability, conds, q, limit, offset)


__all__ = ["BoardFilters", "Found", "clean_query", "search_capabilities", "search_needs"]
