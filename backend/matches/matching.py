"""The matching service: embeds postings, retrieves across channels, fuses, writes matches."""

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import and_, exists, false, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from backend import postings
from backend.base import MatchState, PostingColumns
from backend.capabilities.models import Capability, CapabilityStatus
from backend.config import get_settings
from backend.matches import graphs, lexical_index
from backend.matches import service as match_service
from backend.matches.models import EmbeddingIndex, Match, MatchMessage, MatchStatus
from backend.needs.models import Need, NeedStatus
from backend.needs.repository import today, within_deadline
from backend.organisations.models import Organisation
from backend.postings import text_of
from matching import calibration, centroids, explain, lexical
from matching import channels as channel_registry
from matching.channels import DenseChannel
from matching.fusion import rrf, weighted

OPEN_NEEDS = (NeedStatus.OPEN, NeedStatus.IN_PROGRESS)
LANGUAGES = ("zh", "en")  # what matching.lexical.detect_language tells apart


class ModelChanged(RuntimeError):
    """The stored vectors come from another model; `matchmaker reindex` first."""


@dataclass
class Filters:
    """Optional narrowing of the candidates beyond the always-on rules."""

    chain_id: int | None = None
    region_id: int | None = None
    trl_min: int | None = None
    trl_max: int | None = None


@dataclass
class Retrieval:
    """Ranked ids per channel and fused, with the scores that explain them."""

    rankings: dict[str, list[int]] = field(default_factory=dict)
    scores: dict[str, dict[int, float]] = field(default_factory=dict)
    ranked_scores: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    # The final ranking: (id, calibrated score) best first; the first-stage fusion when no model is fitted.
    fused: list[tuple[int, float]] = field(default_factory=list)
    # The first-stage fusion (weighted mean of min-max normalised channel scores), best first.
    first_fused: list[tuple[int, float]] = field(default_factory=list)
    # Each candidate's calibration features (matching.calibration.FEATURES).
    features: dict[int, dict[str, float]] = field(default_factory=dict)
    # channel -> target language -> the query's cosines with its nearest postings there, best first
    pools: dict[str, dict[str, list[float]]] = field(default_factory=dict)


def channels() -> list[DenseChannel]:
    return channel_registry.enabled(get_settings().english_channel)


def embedder(channel: DenseChannel, cache=None):  # noqa: ANN001
    """The process-wide embedder of a channel, optionally behind an on-disk cache."""
    from matching.embedders import CachedEmbedder, configure, get_embedder

    settings = get_settings()
    # Offline, and no tokenizer threads forked into Celery's prefork children.
    for name, value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("TOKENIZERS_PARALLELISM", "false")):
        os.environ.setdefault(name, value)
    # One posting at a time per worker process; more processes, not more threads, use more cores.
    configure(settings.embedding_config())
    inner = get_embedder(channel.embedder, st_model=settings.st_model)
    return CachedEmbedder(inner, cache) if cache is not None else inner


def _identity(session: Session, channel: DenseChannel) -> None:
    model = embedder(channel)
    stmt = insert(EmbeddingIndex).values(channel=channel.name, model_id=model.model_id, dim=model.dim)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["channel"]))


def stale_channels(session: Session) -> list[tuple[str, str, str]]:
    """Channels whose stored vectors were made by a model other than the configured one."""
    from matching.embedders import get_embedder

    stored = {row.channel: row.model_id for row in session.scalars(select(EmbeddingIndex))}
    out = []
    for ch in channels():
        if ch.name in stored:
            current = get_embedder(ch.embedder, st_model=get_settings().st_model).model_id
            if stored[ch.name] != current:
                out.append((ch.name, stored[ch.name], current))
    return out


def embed_postings(session: Session, postings: list[PostingColumns], cache=None, on_progress=None,  # noqa: ANN001
                   batch: int = 32) -> int:
    """Fill every missing channel vector of the given postings (passage side); returns vectors written."""
    written = 0
    todo = [(ch, p) for ch in channels() for p in postings
            if ch.applies_to(p.language) and getattr(p, ch.column) is None]
    total = len(todo)
    for ch in channels():
        mine = [p for c, p in todo if c is ch]
        if not mine:
            continue
        _identity(session, ch)
        model = embedder(ch, cache)
        for start in range(0, len(mine), batch):
            chunk = mine[start : start + batch]
            vectors = model.embed_passages([text_of(p) for p in chunk])
            for p, v in zip(chunk, vectors, strict=True):
                setattr(p, ch.column, np.asarray(v, dtype=np.float32))
            written += len(chunk)
            if on_progress:
                on_progress(written, total)
    session.flush()
    return written


def query_vectors(postings: list[PostingColumns], cache=None) -> dict[str, np.ndarray]:  # noqa: ANN001
    """Query-side vectors ("query: " for e5) of the source postings, per channel: shape (n, dim)."""
    out = {}
    for ch in channels():
        rows = [i for i, p in enumerate(postings) if ch.applies_to(p.language)]
        if not rows:
            continue
        model = embedder(ch, cache)
        vecs = np.zeros((len(postings), model.dim), dtype=np.float32)
        vecs[rows] = model.embed_queries([text_of(postings[i]) for i in rows])
        out[ch.name] = vecs
    return out


def _rules(source: PostingColumns, target: type, filters: Filters | None):
    """The always-on rules and the optional filters, as SQL conditions on the target table."""
    conds = [target.organisation_id != source.organisation_id]
    if target is Capability:
        conds.append(target.status == CapabilityStatus.ACTIVE)
        declined = exists().where(Match.need_id == source.id, Match.capability_id == Capability.id,
                                  Match.status == MatchStatus.DECLINED)
    else:
        # A need past its deadline has left the board; it is not matched until the firm extends it.
        conds += [target.status.in_(OPEN_NEEDS), within_deadline()]
        declined = exists().where(Match.capability_id == source.id, Match.need_id == Need.id,
                                  Match.status == MatchStatus.DECLINED)
    if isinstance(source, Need) and source.id is not None:
        # The same rules from the need's side: a draft, a closed need or one past its deadline finds nothing.
        if source.status not in OPEN_NEEDS or (source.deadline is not None and source.deadline < today()):
            conds.append(false())
    if isinstance(source, Capability) and source.id is not None and source.status != CapabilityStatus.ACTIVE:
        conds.append(false())  # a draft or retired capability proposes nothing, even from a job queued earlier
    if source.id is not None:
        conds.append(~declined)
    f = filters or Filters()
    if f.chain_id is not None:
        conds.append(target.chain_id == f.chain_id)
    if f.region_id is not None:
        conds.append(target.organisation_id.in_(select(Organisation.id).where(Organisation.region_id == f.region_id)))
    if target is Capability:
        if f.trl_min is not None:
            conds.append(and_(Capability.trl.is_not(None), Capability.trl >= f.trl_min))
        if f.trl_max is not None:
            conds.append(and_(Capability.trl.is_not(None), Capability.trl <= f.trl_max))
    else:
        if f.trl_min is not None:
            conds.append(Need.trl_max >= f.trl_min)
        if f.trl_max is not None:
            conds.append(Need.trl_min <= f.trl_max)
    return conds


def _centring(ch: DenseChannel):  # noqa: ANN202 - Centroids | None
    """The language centroids that apply to a channel's vectors (the multilingual model's, when saved for the
    configured model), or None: then similarities are raw cosines."""
    if ch != channel_registry.MULTILINGUAL or not get_settings().language_centring:
        return None
    found = centroids.cached()
    return found if found is not None and found.model_id == embedder(ch).model_id else None


def _dense(session: Session, target: type, ch: DenseChannel, qvec: np.ndarray, conds: list, k: int,  # noqa: PLR0913
           query_language: str, centring: centroids.Centroids | None = None, dense_graph: bool = False,
           ) -> tuple[dict[int, float], dict[int, float], dict[str, list[float]]]:
    """HNSW top-k per target language; returns (similarity, language-scaled score) by id and the similarities
    per target language, best first. With `centring` (the channel's language centroids, see _centring), `qvec`
    is a centred probe (matching.centroids) and the similarities are centred ones, on one scale for both
    languages. `dense_graph`: the channel's graph is the dense one (graphs.prepare), ordered by its own
    expression; the similarities stay float32."""
    col = getattr(target, ch.column)
    dist = col.cosine_distance(qvec)
    order = graphs.ordering(col, qvec) if dense_graph and graphs.graph_of(target.__tablename__, ch.column) else dist
    groups: dict[str, dict[int, float]] = {}
    for lang in LANGUAGES if ch.languages is None else sorted(ch.languages):
        mean = centring.passage_mean(lang) if centring is not None else None
        if mean is None:
            rows = session.execute(
                select(target.id, dist.label("d"))
                .where(col.is_not(None), target.language == lang, *conds).order_by(order).limit(k)
            ).all()
            if rows:
                groups[lang] = {r.id: 1.0 - float(r.d) for r in rows}
            continue
        rows = session.execute(
            select(target.id, col.max_inner_product(qvec).label("p"), col.max_inner_product(mean).label("m"))
            .where(col.is_not(None), target.language == lang, *conds).order_by(order).limit(k)
        ).all()
        probe_mean = float(np.asarray(qvec, dtype=np.float64) @ mean)
        if rows:  # max_inner_product is the negative inner product
            groups[lang] = {r.id: centring.similarity(-float(r.p), -float(r.m), probe_mean, lang) for r in rows}
    pools = {lang: sorted(sims.values(), reverse=True) for lang, sims in groups.items()}
    baselines = calibration.typical_neighbour(
        pools, query_language,
        gap=centroids.TYPICAL_GAP if centring is not None else calibration.CROSS_LANGUAGE_GAP)
    # Cross-language local scaling: a candidate counts by how far it stands above the query's
    # typical neighbour in its own language, so one language's higher cosines do not bury the other.
    similarity = {i: v for sims in groups.values() for i, v in sims.items()}
    adjusted = {i: v - baselines[lang] for lang, sims in groups.items() for i, v in sims.items()}
    return similarity, adjusted, pools


def _keep(result: Retrieval, name: str, similarity: dict[int, float], scored: dict[int, float], k: int) -> None:
    ranked = sorted(scored, key=lambda i: -scored[i])[:k]
    result.rankings[name] = ranked
    result.scores[name] = {i: similarity[i] for i in ranked}
    result.ranked_scores[name] = [(i, scored[i]) for i in ranked]


def retrieve(
    session: Session,
    source: PostingColumns,
    target: type,
    qvecs: dict[str, np.ndarray] | None = None,
    *,
    filters: Filters | None = None,
    k: int | None = None,
    methods: set[str] | None = None,
    extra: list[int] | None = None,
) -> Retrieval:
    """Dense top-k per applicable channel (HNSW), BM25 top-k (GIN), then a dense and a lexical feedback pass, fused."""
    settings = get_settings()
    k = k or settings.candidate_k
    conds = _rules(source, target, filters)
    result = Retrieval()
    dense_graph = graphs.prepare(session, target)
    qvecs = qvecs if qvecs is not None else {n: v[0] for n, v in query_vectors([source]).items()}
    multilingual = channel_registry.MULTILINGUAL
    centring = _centring(multilingual)  # only the multilingual channel has language centroids
    probes = dict(qvecs)
    if centring is not None and multilingual.name in probes:
        probes[multilingual.name] = centring.probe(probes[multilingual.name], source.language)
    for ch in channels():
        if (methods is None or ch.name in methods) and ch.applies_to(source.language) and ch.name in qvecs:
            similarity, adjusted, pools = _dense(session, target, ch, probes[ch.name], conds, k, source.language,
                                                 centring if ch == multilingual else None, dense_graph)
            _keep(result, ch.name, similarity, adjusted, k)
            result.pools[ch.name] = pools
    terms = lexical.search_terms(lexical.query_tokens(text_of(source)))
    eligible = select(target.id).where(*conds).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    if methods is None or "lexical" in methods:
        first_lexical, lexical_stats = _bm25(session, target, eligible, terms, k)
        if first_lexical:
            _keep(result, "lexical", first_lexical, first_lexical, k)
    languages = _languages(session, target, {i for ids in result.rankings.values() for i in ids})
    by_name = {ch.name: ch for ch in channels()}

    def sees(channel: str, item: int) -> bool:
        lang = languages.get(item, source.language)
        if channel in ("lexical", FEEDBACK_LEXICAL):  # keywords cannot see across languages, unless they found it
            return lang == source.language or item in result.scores[channel]
        if channel == FEEDBACK:
            return True
        return by_name[channel].applies_to(lang)

    def fuse() -> list[tuple[int, float]]:
        if settings.fusion == "rrf":
            return rrf(result.rankings, k=settings.rrf_k, sees=sees)
        return weighted({n: dict(v) for n, v in result.ranked_scores.items()}, settings.fusion_weights, sees=sees)

    result.fused = fuse()
    first = result.fused[: settings.feedback_docs]
    top = [i for i, _ in first]
    if top and settings.feedback_terms and "lexical" in result.rankings and (
            methods is None or FEEDBACK_LEXICAL in methods):
        # Lexical feedback (RM3): the query's own terms plus the distinctive terms of its best first-pass
        # partners, searched again with BM25. The pool of candidate terms is a few times the number kept.
        stats_table = None if lexical_stats is None or "known" in lexical_stats else \
            lexical_index.of(target.__tablename__).stats
        rows = session.execute(text(lexical.feedback_terms_sql(target.__tablename__, lex_column="lexical",
                                                               stats_table=stats_table)),
                               {"ids": top, "weights": [max(score, 1e-6) for _, score in first],
                                "exclude": terms, "pool": 4 * settings.feedback_terms}).all()
        expansion = lexical.expansion_terms(rows, settings.feedback_terms)
        if expansion:
            weights = dict.fromkeys(terms, 1.0) | {t: settings.feedback_term_weight * w for t, w in expansion}
            if stats_table:  # the new terms' df came with them
                lexical_stats = dict(lexical_stats, df=lexical_stats["df"] | {r[0]: int(r[2]) for r in rows if r[2]})
            scores = _bm25_more(session, target, eligible, weights, [t for t, _ in expansion], first_lexical,
                                lexical_stats, k)
            _keep(result, FEEDBACK_LEXICAL, scores, scores, k)
    moved = None
    if top and multilingual.name in qvecs and (methods is None or FEEDBACK in methods):
        # Pseudo-relevance feedback: move the query towards its best first-pass partners and search again,
        # which finds what resembles them (the same discipline, the same kind of problem).
        column = getattr(target, multilingual.column)
        found_rows = session.execute(select(target.id, column).where(target.id.in_(top), column.is_not(None))).all()
        if found_rows:
            rows = np.asarray([np.asarray(r[1], dtype=np.float32) for r in found_rows])
            if centring is not None:  # partners centred like the probe
                rows = centring.centre_passages(rows, [languages.get(r[0], source.language) for r in found_rows])
            moved = probes[multilingual.name] + settings.feedback_weight * np.mean(rows, axis=0)
            moved /= np.linalg.norm(moved)
            similarity, adjusted, _pools = _dense(session, target, multilingual, moved, conds, k, source.language,
                                                  centring, dense_graph)
            _keep(result, FEEDBACK, similarity, adjusted, k)
    if found := {i for name in (FEEDBACK, FEEDBACK_LEXICAL) for i in result.rankings.get(name, [])}:
        languages.update(_languages(session, target, found - set(languages)))
        result.fused = fuse()
    result.first_fused = result.fused
    if methods is None and multilingual.name in qvecs:
        _calibrate(session, target, source, result, probes, moved, languages, extra or [], centring)
    return result


def _cosines(session: Session, target: type, ch: DenseChannel, vectors: list[np.ndarray],
             ids: list[int], centring: centroids.Centroids | None = None) -> list[dict[int, float]]:
    """Exact similarities of the given postings with each vector (one statement), id -> similarity per vector:
    cosines, or centred similarities when the channel has language centroids (the vectors are then probes)."""
    if not ids:
        return [{} for _unused in vectors]
    col = getattr(target, ch.column)
    if centring is None:
        sims = [(1 - col.cosine_distance(v)).label(f"s{n}") for n, v in enumerate(vectors)]
        rows = session.execute(select(target.id, *sims).where(target.id.in_(ids), col.is_not(None))).all()
        return [{r[0]: float(r[n + 1]) for r in rows} for n in range(len(vectors))]
    means = {lang: m for lang in LANGUAGES if (m := centring.passage_mean(lang)) is not None}
    dots = [col.max_inner_product(v).label(f"s{n}") for n, v in enumerate(vectors)]
    mean_dots = [col.max_inner_product(m).label(f"m_{lang}") for lang, m in means.items()]
    rows = session.execute(select(target.id, target.language, *dots, *mean_dots)
                           .where(target.id.in_(ids), col.is_not(None))).mappings().all()
    out: list[dict[int, float]] = []
    for n, v in enumerate(vectors):
        probe = np.asarray(v, dtype=np.float64)
        sims = {}
        for r in rows:
            lang = r["language"]
            if lang in means:
                sims[r["id"]] = centring.similarity(-float(r[f"s{n}"]), -float(r[f"m_{lang}"]),
                                                    float(probe @ means[lang]), lang)
            else:
                sims[r["id"]] = -float(r[f"s{n}"])
        out.append(sims)
    return out


def _calibrate(session: Session, target: type, source: PostingColumns, result: Retrieval,  # noqa: PLR0913
               qvecs: dict[str, np.ndarray], moved: np.ndarray | None, languages: dict[int, str],
               extra: list[int], centring: centroids.Centroids | None = None) -> None:
    """Describe every candidate (and the `extra` pairs a person acted on) by the calibration features and,
    when a model is fitted (one per similarity scale: raw or centred), rank by its calibrated score."""
    multilingual = channel_registry.MULTILINGUAL
    candidates = list(dict.fromkeys([*(i for i, _unused in result.first_fused), *extra]))
    if missing := set(candidates) - set(languages):
        languages.update(_languages(session, target, missing))
    vectors = [qvecs[multilingual.name]] + ([moved] if moved is not None else [])
    found = _cosines(session, target, multilingual, vectors, candidates, centring)
    minilm = None
    english = channel_registry.ENGLISH
    if english.name in qvecs and english in channels() and english.applies_to(source.language):
        english_ids = [i for i in candidates if english.applies_to(languages.get(i, ""))]
        minilm = _cosines(session, target, english, [qvecs[english.name]], english_ids)[0]
    result.features = calibration.features(
        candidates, query_language=source.language, language_of=languages, cos=found[0],
        pools=result.pools.get(multilingual.name, {}), lexical=result.scores.get("lexical", {}),
        feedback_cos=found[1] if moved is not None else None,
        feedback_lexical=result.scores.get(FEEDBACK_LEXICAL), minilm=minilm, fused=dict(result.first_fused))
    model = calibration.cached(calibration.CENTRED_PATH if centring is not None else calibration.DEFAULT_PATH)
    if model is None:
        return
    probs = model.probabilities([result.features[i] for i in candidates])
    order = sorted(range(len(candidates)), key=lambda n: -probs[n])
    result.fused = [(candidates[n], float(probs[n])) for n in order]


def _bm25(session: Session, target: type, eligible, terms: list[str], k: int):  # noqa: ANN001, ANN202
    """BM25 of the terms over the eligible targets: (id -> score, the collection statistics for _bm25_more),
    or ({}, None) when nothing holds a term. Candidates come from the impact-ordered postings of the query's
    rarest terms and are rescored with exact BM25 over every term; ``lexical_exact`` scores every posting
    holding a term instead (the GIN index)."""
    if get_settings().lexical_exact:
        return _bm25_exact(session, target, eligible, terms, k)
    df, n, avg_dl = lexical_index.statistics(session, target.__tablename__, terms)
    if not df:
        return {}, None
    stats = {"df": df, "n": n, "avg_dl": avg_dl}
    scores = _impact(session, target, eligible, terms, dict.fromkeys(terms, 1.0), stats,
                     lexical.candidate_terms(terms, df, n), k)
    return scores, stats


def lexical_search(session: Session, target: type, eligible, terms: list[str], k: int) -> dict[int, float]:  # noqa: ANN001
    """The best k eligible targets by BM25 of the terms (the fast path unless ``lexical_exact``), id -> score."""
    return _bm25(session, target, eligible, terms, k)[0]


def _impact(session: Session, target: type, eligible, terms: list[str], weights: dict[str, float],  # noqa: ANN001, PLR0913
            stats: dict, candidates: list[str], k: int, also: tuple[int, ...] = ()) -> dict[int, float]:
    """Exact BM25 of the best candidates of the impact postings (lexical.impact_sql), id -> score. Fewer than k
    eligible results: a pool eight times larger when it was full (the conditions skipped most of it), else
    every term of the query but Chinese single characters as candidate terms (the rare ones were exhausted)."""
    collection = lexical_index.of(target.__tablename__)
    sql = text(lexical.impact_sql(target.__tablename__, collection.terms, collection.posting, lex_column="lexical",
                                  where=f"d.id IN ({eligible})"))
    # the feedback pass adds the best candidates of its few new terms to the first pass's top k
    per_term, pool = lexical.PER_TERM, lexical.POOL // 2 if also else lexical.POOL
    every = [t for t in terms if stats["df"].get(t) and not lexical.is_han_character(t)]
    for _attempt in range(3):
        params = lexical.impact_params(terms, weights, stats["df"], stats["n"], stats["avg_dl"], candidates,
                                       limit=k, also=also, per_term=per_term, pool=pool)
        rows = session.execute(sql, params).all()
        if len(rows) >= k:
            break
        if rows and rows[0].pooled >= pool:
            per_term, pool = per_term * 8, pool * 8
        elif len(candidates) < len(every):
            candidates = every
        elif not rows:
            per_term, pool = per_term * 8, pool * 8
        else:
            break
    return {r.id: float(r.score) for r in rows}


def _bm25_exact(session: Session, target: type, eligible, terms: list[str], k: int):  # noqa: ANN001, ANN202
    """BM25 (GIN candidates, exact scores) of the terms over the eligible targets, with the statistics of the
    eligible collection."""
    tsq = lexical.tsquery_literal(terms)
    if not tsq:
        return {}, None
    sql = lexical.bm25_sql(target.__tablename__, lex_column="lexical", where=f"d.id IN ({eligible})",
                           with_stats=True)
    rows = session.execute(text(sql), {"tsq": tsq, "terms": terms, "limit": k}).all()
    if not rows:
        return {}, None
    first = rows[0]
    stats = {"known": first.df_terms, "known_df": first.df_values, "n": first.n, "avg_dl": first.avg_dl}
    return {r.id: float(r.score) for r in rows}, stats


def _bm25_more(session: Session, target: type, eligible, weights: dict[str, float], new: list[str],  # noqa: ANN001
               first: dict[int, float], stats: dict, k: int) -> dict[int, float]:
    """BM25 of the weighted terms after `new` joined the first pass's. Only the first pass's top k and the
    documents holding a new term can enter the top k (see lexical.bm25_more_sql): the impact postings of
    the new terms give the latter; id -> score."""
    terms = list(weights)
    if "known" in stats:  # the exact first pass
        sql = lexical.bm25_more_sql(target.__tablename__, lex_column="lexical", where=f"d.id IN ({eligible})")
        rows = session.execute(text(sql), {"tsq": lexical.tsquery_literal(new), "also": list(first), "terms": terms,
                                           "weights": [weights[t] for t in terms], **stats, "limit": k}).all()
        return {r.id: float(r.score) for r in rows}
    if missing := [t for t in new if t not in stats["df"]]:
        stats = dict(stats, df=stats["df"] | lexical_index.statistics(session, target.__tablename__, missing)[0])
    return _impact(session, target, eligible, terms, weights, stats, [t for t in new if stats["df"].get(t)], k,
                   also=tuple(first))


FEEDBACK = "feedback"
FEEDBACK_LEXICAL = "feedback:lexical"


def _languages(session: Session, target: type, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(target.id, target.language).where(target.id.in_(ids))).tuples().all())


def _ordinal(ids: list[int], item: int) -> int | None:
    return ids.index(item) + 1 if item in ids else None


def _frequencies(session: Session, target: type):  # noqa: ANN202 - (term -> df or None, N)
    """Document frequencies of explanation terms among the target postings, for the idf floor of
    matching.explain: counted in the lexical index, each term once, and no further than the floor needs. The
    number of postings comes from the collection totals the lexical index keeps, not from a count per run."""
    documents = lexical_index.statistics(session, target.__tablename__, [])[1]
    sql = text(explain.frequency_sql(target.__tablename__))
    cap = explain.frequency_cap(documents)
    known: dict[str, int | None] = {}

    def document_frequency(term: str) -> int | None:
        if term not in known:
            tsq = explain.term_tsquery(term)
            known[term] = None if tsq is None else session.scalar(sql, {"tsq": tsq, "cap": cap})
        return known[term]

    return document_frequency, documents


def _acted_on(session: Session, matches: list[Match]) -> set[int]:
    """Ids of the matches a person has acted on: any status but proposed, or a message in the thread."""
    acted = {m.id for m in matches if m.status != MatchStatus.PROPOSED}
    talked = [m.id for m in matches if m.id not in acted]
    if talked:
        acted |= set(session.scalars(select(MatchMessage.match_id).where(MatchMessage.match_id.in_(talked))))
    return acted


def _write_matches(session: Session, need_side: bool, source: PostingColumns, found: Retrieval,
                   known: list[Match], acted: set[int]) -> int:
    """Make the posting's ranked list the run's top N: propose new pairs (one ledger event each), re-propose
    withdrawn ones that came back, refresh the score and explanation of known ones (sample history and pairs a
    person acted on included), and withdraw the proposals nobody acted on that neither side ranks any more."""
    settings = get_settings()
    scored = dict(found.fused)
    # the best few always (a new posting sees its nearest partners, in honest words), the rest from the lowest
    # score worth proposing
    top = [(tid, score) for n, (tid, score) in enumerate(found.fused)
           if score >= settings.match_min_score or n < settings.match_min_kept][: settings.match_top_n]
    place = {tid: n for n, (tid, _score) in enumerate(top, start=1)}
    by_target = {(m.capability_id if need_side else m.need_id): m for m in known}
    refresh = [tid for tid in by_target if tid in scored and tid not in place]
    target_cls = Capability if need_side else Need
    wanted = [*place, *refresh]
    targets = {t.id: t for t in session.scalars(select(target_cls).where(target_cls.id.in_(wanted)))} if wanted else {}
    dense_name = channel_registry.MULTILINGUAL.name
    document_frequency, documents = _frequencies(session, target_cls)
    rank_field = "rank" if need_side else "reverse_rank"
    written = 0
    for tid in wanted:
        other, score = targets[tid], scored[tid]
        need, cap = (source, other) if need_side else (other, source)
        feats = found.features.get(tid, {})
        similarity = feats.get("cos", found.scores.get(dense_name, {}).get(tid))
        info = explain.explain(
            text_of(need), text_of(cap),
            similarity=similarity, score=score,
            chain_agrees=None if need.chain_id is None or cap.chain_id is None else need.chain_id == cap.chain_id,
            lang_pair=(need.language, cap.language),
            document_frequency=document_frequency, documents=documents,
        )
        lexical_score = found.scores.get("lexical", {}).get(tid)
        existing = by_target.get(tid)
        position = place.get(tid)
        if existing is None:
            match = match_service.propose(session, need.id, cap.id, dense_score=similarity,
                                          lexical_score=lexical_score, fused_score=score,
                                          rank=position if need_side else None, explanation=info,
                                          is_sample=need.is_sample or cap.is_sample)
            match.reverse_rank = None if need_side else position
            written += 1
            continue
        if existing.status in (MatchStatus.DECLINED, MatchStatus.EXPIRED):
            continue
        existing.dense_score, existing.lexical_score = similarity, lexical_score
        existing.fused_score, existing.explanation = score, info.stored()
        setattr(existing, rank_field, position)
        if existing.status == MatchStatus.WITHDRAWN and position is not None:
            match_service.propose_again(session, existing, rank=position)
            written += 1
    for tid, match in by_target.items():
        if tid in place:
            continue
        setattr(match, rank_field, None)
        other_rank = match.reverse_rank if need_side else match.rank
        if match.status == MatchStatus.PROPOSED and match.id not in acted and other_rank is None:
            match_service.transition(session, match, MatchStatus.WITHDRAWN)
    session.flush()
    return written


def _check_models(session: Session) -> None:
    stale = stale_channels(session)
    if stale:
        name, stored, current = stale[0]
        raise ModelChanged(f"channel {name} holds vectors of {stored}, not {current}: run `matchmaker reindex`")


def _match(session: Session, source_cls: type, posting_id: int, filters: Filters | None) -> int:
    _check_models(session)
    source = session.get(source_cls, posting_id)
    if source is None:
        return 0
    need_side = source_cls is Need
    embed_postings(session, [source])
    known = list(session.scalars(select(Match).where(
        (Match.need_id if need_side else Match.capability_id) == source.id)))
    # Pairs a person acted on, and the sample history, are scored by the same engine even when they fall
    # out of the candidates.
    acted = _acted_on(session, known)
    extra = [m.capability_id if need_side else m.need_id for m in known
             if (m.id in acted or m.is_sample) and m.status not in (MatchStatus.DECLINED, MatchStatus.EXPIRED)]
    found = retrieve(session, source, Capability if need_side else Need, filters=filters, extra=extra)
    written = _write_matches(session, need_side, source, found, known, acted)
    source.match_state, source.match_error, source.matched_at = MatchState.DONE, None, datetime.now(UTC)
    return written


def match_need(session: Session, need_id: int, filters: Filters | None = None) -> int:
    """Embed a need if needed and propose its best capabilities."""
    return _match(session, Need, need_id, filters)


def match_capability(session: Session, capability_id: int, filters: Filters | None = None) -> int:
    """Embed a capability if needed and propose it to the needs it fits (reverse direction)."""
    return _match(session, Capability, capability_id, filters)


def mark_failed(session: Session, fn, posting_id: int, error: str) -> None:  # noqa: ANN001
    """Leave the posting visible with "matching pending, will retry"."""
    model = Need if fn is match_need else Capability
    session.execute(update(model).where(model.id == posting_id)
                    .values(match_state=MatchState.FAILED, match_error=error[:500]))


def sweep_pending(limit: int = 100, cache=None) -> int:  # noqa: ANN001
    """Embed, then match, the pending or failed postings (oldest first); each posting in its own transaction.

    All embeddings come first, so a need swept together with new capabilities already sees them (`cache`: an
    on-disk embedding cache, for measuring runs).
    """
    from backend.db import session_scope

    todo: list[tuple] = []
    for model, fn in ((Need, match_need), (Capability, match_capability)):
        with session_scope() as session:
            rows = list(session.scalars(select(model).where(model.match_state != MatchState.DONE)
                                        .order_by(model.id).limit(limit)))
            embed_postings(session, rows, cache=cache)
            todo += [(fn, row.id) for row in rows]
    done = 0
    for fn, posting_id in todo:
        try:
            with session_scope() as session:
                fn(session, posting_id)
                done += 1
        except Exception as err:  # noqa: BLE001 - one bad posting must not stop the sweep
            with session_scope() as session:
                mark_failed(session, fn, posting_id, str(err))
    return done


def reindex(session: Session, on_progress=None, batch: int = 64) -> int:  # noqa: ANN001
    """Re-embed every posting with the configured models and record their identity."""
    names = [ch.name for ch in channels()]
    session.execute(EmbeddingIndex.__table__.delete().where(EmbeddingIndex.channel.in_(names)))
    total = 0
    for model in (Need, Capability):
        ids = list(session.scalars(select(model.id).order_by(model.id)))
        total += len(ids)
    done = 0
    for model in (Need, Capability):
        cols = {ch.column: None for ch in channels()}
        session.execute(update(model).values(**cols))
        ids = list(session.scalars(select(model.id).order_by(model.id)))
        for start in range(0, len(ids), batch):
            rows = list(session.scalars(select(model).where(model.id.in_(ids[start : start + batch]))))
            for row in rows:  # the lexical index too, in case the tokenizer changed
                row.language, row.lexical = postings.lexical_index(row)
            embed_postings(session, rows)
            done += len(rows)
            if on_progress:
                on_progress(done, total)
    for ch in channels():
        _identity(session, ch)
    session.flush()
    return done


__all__ = ["Filters", "ModelChanged", "Retrieval", "match_capability", "match_need", "reindex",
           "retrieve", "stale_channels", "sweep_pending"]
