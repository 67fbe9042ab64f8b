"""The impact-ordered lexical index stays in step with the postings; the fast BM25 path returns exact BM25's
top k; filtered dense retrieval returns k results where k exist."""

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql

from backend.capabilities import service as capabilities
from backend.capabilities.models import Capability
from backend.capabilities.schemas import CapabilityUpdate
from backend.matches import lexical_index, matching
from backend.needs.models import Need
from backend.organisations.models import OrgKind
from backend.postings import text_of
from matching import lexical
from matching.channels import MULTILINGUAL
from tests.common.factories import create_capability, create_need, create_org

BENCH = Path("/work/shared/bench")


def _expected(posting) -> dict[str, float]:  # noqa: ANN001
    """term -> impact, computed in Python from the posting's text (Chinese single characters have none)."""
    tf = lexical.term_frequencies(lexical.index_tokens(text_of(posting)))
    dl = len(tf)
    return {t: n * 2.2 / (n + 1.2 * (0.25 + 0.75 * dl / lexical_index.REFERENCE_LENGTH))
            for t, n in tf.items() if not lexical.is_han_character(t)}


def _stored(session, cap_id: int) -> dict[str, float]:  # noqa: ANN001
    rows = session.execute(text("SELECT term, impact FROM capability_terms WHERE capability_id = :id"),
                           {"id": cap_id}).all()
    return {r.term: r.impact for r in rows}


def _collection(session) -> tuple[int, int]:  # noqa: ANN001
    row = session.execute(text("SELECT documents, length_sum FROM lexical_collections "
                               "WHERE name = 'capabilities'")).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _df(session, terms) -> dict[str, int]:  # noqa: ANN001
    rows = session.execute(text("SELECT term, df FROM capability_term_stats WHERE term = ANY(:t)"),
                           {"t": list(terms)}).all()
    return {r.term: r.df for r in rows}


def _assert_in_step(session, cap) -> None:  # noqa: ANN001
    want, got = _expected(cap), _stored(session, cap.id)
    assert set(got) == set(want)
    assert all(got[t] == pytest.approx(want[t], rel=1e-6) for t in want)


def test_the_impact_postings_follow_a_capability_through_create_edit_and_delete(db_session):
    before = _collection(db_session)
    cap = create_capability(db_session, title="风电轴承滚子磨削烧伤检测",
                            description="巴克豪森噪声与涡流在线检测磨削烧伤, grinding burn detection of rollers.")
    db_session.flush()
    first_terms = set(lexical.term_frequencies(lexical.index_tokens(text_of(cap))))
    assert "磨削" in _stored(db_session, cap.id) and "磨" not in _stored(db_session, cap.id)
    _assert_in_step(db_session, cap)
    documents, length_sum = _collection(db_session)
    assert documents == before[0] + 1 and length_sum == before[1] + len(first_terms)
    df_after_create = _df(db_session, first_terms)

    capabilities.update(db_session, cap, CapabilityUpdate(
        title="激光熔覆修复齿轮", description="激光熔覆修复风电齿轮箱齿面, laser cladding repair of gears.",
        kind="expertise", chain="bearings"))
    db_session.flush()
    _assert_in_step(db_session, cap)
    second_terms = set(lexical.term_frequencies(lexical.index_tokens(text_of(cap))))
    dropped = first_terms - second_terms
    assert dropped and all(_df(db_session, dropped).get(t, 0) == df_after_create[t] - 1 for t in dropped)
    assert _collection(db_session) == (before[0] + 1, before[1] + len(second_terms))

    capabilities.retire(db_session, cap)  # a retired posting keeps its index; the rules skip it
    db_session.flush()
    _assert_in_step(db_session, cap)



def test_a_deleted_posting_leaves_the_impact_postings(db_session):
    """Postings with ledger events are never deleted (the ledger is append-only); one without is, e.g. a bench
    row or a test's."""
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="删除大学")
    before = _collection(db_session)
    _load_rows(db_session, lab.id, [{"title": "风机传动", "text": "风电齿轮箱故障诊断 gearbox fault diagnosis"}])
    cap = db_session.scalars(select(Capability).where(Capability.organisation_id == lab.id)).one()
    _assert_in_step(db_session, cap)
    terms = set(lexical.term_frequencies(lexical.index_tokens(text_of(cap))))
    df = _df(db_session, terms)
    db_session.delete(cap)
    db_session.flush()
    assert _stored(db_session, cap.id) == {}
    assert _collection(db_session) == before
    assert _df(db_session, terms) == {t: n - 1 for t, n in df.items()}


def test_a_rebuild_from_the_tsvectors_gives_what_the_triggers_kept(db_session):
    for n in range(3):
        create_capability(db_session, title=f"精密磨削工艺{n}",
                          description=f"滚子精密磨削与烧伤检测，第{n}代 grinding.")
        create_need(db_session, description=f"滚子磨削烧伤在线检测 {n}")
    db_session.flush()
    snapshot = ("SELECT array_agg((term, impact, capability_id) ORDER BY term, impact, capability_id) "
                "FROM capability_terms")
    stats = "SELECT array_agg((term, df) ORDER BY term) FROM capability_term_stats WHERE df > 0"
    need_rows = "SELECT count(*) FROM need_terms"
    kept = [db_session.scalar(text(q)) for q in (snapshot, stats, need_rows)] + [_collection(db_session)]
    lexical_index.rebuild(db_session, "capabilities")
    rebuilt = [db_session.scalar(text(q)) for q in (snapshot, stats, need_rows)] + [_collection(db_session)]
    assert rebuilt == kept and kept[2] > 0


def _load(session, org_id: int, path: Path, skip: int, count: int) -> None:  # noqa: ANN001
    with path.open(encoding="utf-8") as f:
        records = [json.loads(line) for _n, line in zip(range(skip + count), f, strict=False)][skip:]
    _load_rows(session, org_id, records)


def _load_rows(session, org_id: int, records: list[dict]) -> None:  # noqa: ANN001
    """Capabilities written straight into the table (no service, no ledger event)."""
    rows = [{"org": org_id, "title": (r.get("title") or r["text"][:40])[:300], "body": r["text"],
             "lang": lexical.detect_language(r["text"]),
             "lex": lexical.tsvector_literal(lexical.index_tokens(f"{r.get('title') or ''}\n{r['text']}"))}
            for r in records]
    session.execute(text(
        "INSERT INTO capabilities (kind, patent_numbers, status, title, description, keywords, language, lexical, "
        "match_state, is_sample, organisation_id) VALUES ('expertise', '{}', 'active', :title, :body, '{}', :lang, "
        "CAST(:lex AS tsvector), 'done', false, :org)"), rows)


@pytest.mark.skipif(not BENCH.exists(), reason="the shared bench texts are not on this machine")
def test_the_fast_lexical_path_returns_the_exact_bm25_top_ten_on_real_texts(db_session):
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="词表大学")
    firm = create_org(db_session)
    _load(db_session, lab.id, BENCH / "csl_zh" / "capabilities.jsonl", 0, 400)
    _load(db_session, lab.id, BENCH / "scifact_en" / "capabilities.jsonl", 0, 200)
    queries = [json.loads(line) for _n, line in zip(range(410), (BENCH / "csl_zh" / "capabilities.jsonl").open(
        encoding="utf-8"), strict=False)][400:]
    queries += [json.loads(line) for _n, line in zip(range(205), (BENCH / "scifact_en" / "capabilities.jsonl").open(
        encoding="utf-8"), strict=False)][200:]
    for q in queries:
        source = Need(organisation_id=firm.id, title=(q.get("title") or q["text"][:40])[:300], description=q["text"],
                      keywords=[], language=lexical.detect_language(q["text"]))
        conds = matching._rules(source, Capability, None)
        eligible = select(Capability.id).where(*conds).compile(dialect=postgresql.dialect(),
                                                               compile_kwargs={"literal_binds": True})
        terms = lexical.search_terms(lexical.query_tokens(text_of(source)))
        fast, _stats = matching._bm25(db_session, Capability, eligible, terms, 10)
        exact, _stats = matching._bm25_exact(db_session, Capability, eligible, terms, 10)
        assert list(fast) == list(exact)
        assert [fast[i] for i in fast] == pytest.approx([exact[i] for i in exact], rel=1e-6)


def test_filtered_dense_retrieval_returns_k_results_where_k_exist(db_session):
    """A chain filter keeps one posting in ten and three of them were declined: the HNSW scan goes on past its
    first ef_search neighbours (iterative scan) until ten pass."""
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="过滤大学")
    need = create_need(db_session)
    chains = [c for (c,) in db_session.execute(text("SELECT id FROM industry_chains ORDER BY id LIMIT 10"))]
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((400, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = [{"org": lab.id, "chain": chains[n % len(chains)], "e": str(vectors[n].tolist())} for n in range(400)]
    ids = [db_session.execute(text(
        "INSERT INTO capabilities (kind, patent_numbers, status, title, description, keywords, language, embedding, "
        "lexical, match_state, is_sample, organisation_id, chain_id) VALUES ('expertise', '{}', 'active', 't', 'd', "
        "'{}', 'zh', CAST(:e AS vector), NULL, 'done', false, :org, :chain) RETURNING id"), r).scalar_one()
        for r in rows]
    chain = chains[0]
    in_chain = [i for n, i in enumerate(ids) if n % len(chains) == 0]
    query = vectors[0] + 0.5 * rng.standard_normal(384).astype(np.float32)
    query /= np.linalg.norm(query)
    # the index is searched with the language-centred probe (matching/centroids.py) when centroids apply
    centring = matching._centring(MULTILINGUAL)
    probe = centring.probe(query, need.language) if centring is not None else query
    order = sorted(in_chain, key=lambda i: -float(vectors[ids.index(i)] @ probe))
    declined = order[:3]
    db_session.execute(text(
        "INSERT INTO matches (need_id, capability_id, status, fused_score, explanation, proposed_at, is_sample) "
        "SELECT :n, unnest(CAST(:ids AS bigint[])), 'declined', 0, '{}', now(), false"),
        {"n": need.id, "ids": declined})
    db_session.execute(text("SET LOCAL enable_seqscan = off"))
    db_session.execute(text("SET LOCAL hnsw.ef_search = 10"))
    found = matching.retrieve(db_session, need, Capability, {MULTILINGUAL.name: query},
                              filters=matching.Filters(chain_id=chain), k=10, methods={MULTILINGUAL.name})
    got = found.rankings[MULTILINGUAL.name]
    assert len(got) == 10
    assert set(got) == set(order[3:13])
    assert not set(got) & set(declined)
