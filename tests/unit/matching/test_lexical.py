import pytest

from matching import lexical
from matching.lexical import (
    bm25_rank,
    detect_language,
    index_tokens,
    query_tokens,
    search_terms,
    stem_english,
    term_frequencies,
    tsquery_literal,
    tsvector_literal,
)


def test_detect_language_tells_chinese_from_english():
    assert detect_language("风电滚子磨削后表面烧伤，圆度超差") == "zh"
    assert detect_language("Grinding burn detection of wind-turbine bearing rollers") == "en"
    assert detect_language("需要RV减速器和 harmonic drive 的寿命测试方案") == "zh"
    assert detect_language("We study grinding burn in rollers for wind turbines (风电) in depth.") == "en"
    assert detect_language("") == "en"


def test_jieba_modes_add_domain_words():
    assert "风电滚子" in index_tokens("风电滚子磨削", mode="jieba")
    assert {"风", "风电", "滚子", "磨削", "风电滚子"} <= set(index_tokens("风电滚子磨削", mode="both"))


def test_english_words_are_lowercased_without_stopwords_and_plural_s():
    assert index_tokens("The Grinding of Rollers and the BURN") == ["grinding", "roller", "burn"]
    assert [stem_english(w) for w in ("bearings", "studies", "process", "analysis", "bus", "gas")] == [
        "bearing",
        "study",
        "process",
        "analysis",
        "bus",
        "gas",
    ]


def test_chinese_text_is_indexed_as_characters_and_bigrams():
    assert lexical.CHINESE_MODE == "chars"
    assert index_tokens("风电滚子") == ["风", "风电", "电", "电滚", "滚", "滚子", "子"]
    assert "的" not in index_tokens("轴承的寿命")


def test_mixed_text_splits_latin_words_glued_to_chinese():
    tokens = index_tokens("RV减速器回程间隙")
    assert "rv" in tokens and "减速" in tokens and "间隙" in tokens
    assert "rv减速器" in index_tokens("RV减速器回程间隙", mode="jieba")


def test_query_tokens_are_distinct_in_order():
    tokens = query_tokens("轴承 轴承 bearing bearing")
    assert len(tokens) == len(set(tokens))
    assert tokens.index("轴承") < tokens.index("bearing")


def test_a_long_query_keeps_bigrams_before_single_characters():
    text = "风电滚子磨削后表面烧伤圆度超差需要在线检测方法" * 3 + "永磁同步电机效率提升" + "abc " * 3
    tokens = query_tokens(text, max_terms=30)
    assert len(tokens) == 30
    assert all(len(t) == 2 for t in tokens)
    assert len(query_tokens("轴承", max_terms=30)) == 3


def test_tsvector_literal_has_positions_and_escapes_quotes_and_backslashes():
    assert tsvector_literal(["轴承", "bearing", "轴承"]) == "'轴承':1,3 'bearing':2"
    assert tsvector_literal(["it's", "a\\b"]) == "'it''s':1 'a\\\\b':2"
    assert tsvector_literal([]) == ""


def test_tsvector_literal_respects_postgres_limits():
    long = "长" * 1000  # 3000 bytes
    literal = tsvector_literal([long] + ["x"] * 20000)
    lexeme = literal.split("'")[1]
    assert len(lexeme.encode()) <= lexical.MAX_LEXEME_BYTES
    positions = literal.rsplit(":", 1)[1].split(",")
    assert len(positions) == lexical.MAX_POSITIONS_PER_LEXEME
    assert max(int(p) for p in positions) <= lexical.MAX_POSITION


def test_tsquery_literal_joins_distinct_terms_and_is_none_when_empty():
    assert tsquery_literal(["a", "b", "a"]) == "'a' | 'b'"
    assert tsquery_literal(["a", "b"], op="&") == "'a' & 'b'"
    assert tsquery_literal([]) is None
    assert tsquery_literal(["", "\x00"]) is None
    with pytest.raises(ValueError):
        tsquery_literal(["a"], op="!")  # type: ignore[arg-type]


def test_bm25_prefers_the_rarer_term_and_shorter_document():
    docs = {
        "a": ["轴承", "磨削"] * 3,
        "b": ["轴承", "电机"] * 3,
        "c": ["轴承"] * 6,
    }
    df = {"轴承": 3, "磨削": 1, "电机": 1}
    cands = [(i, term_frequencies(t), len(t)) for i, t in docs.items()]
    ranked = bm25_rank(["轴承", "磨削"], cands, df, n_docs=3, avg_len=6)
    assert [doc for doc, _ in ranked][0] == "a"


# --- PostgreSQL: the literals always cast, and bm25_sql agrees with the Python BM25 ----------------


@pytest.fixture
def conn(pg_server_url):
    from sqlalchemy import create_engine

    engine = create_engine(pg_server_url)
    with engine.connect() as connection:
        yield connection
        connection.rollback()
    engine.dispose()


NASTY = ["it's", "a\\b", "'", "\\", "''\\\\'", "x:1", "a b", "ü", "风电", "长" * 5000, "\x00nul", "&|!()<->"]


def test_tsvector_literal_of_nasty_tokens_casts_in_postgres(conn):
    from sqlalchemy import text

    lit = tsvector_literal(NASTY + ["x"] * 20000)
    rows = (
        conn.execute(text("SELECT lexeme FROM unnest(CAST(:lit AS tsvector))"), {"lit": lit}).scalars().all()
    )
    assert {"it's", "a\\b", "'", "\\", "a b", "风电", "nul", "&|!()<->"} <= set(rows)
    q = tsquery_literal(NASTY, op="&")
    assert conn.execute(
        text("SELECT CAST(:lit AS tsvector) @@ CAST(:q AS tsquery)"), {"lit": lit, "q": q}
    ).scalar()


def test_a_huge_text_still_casts(conn):
    from sqlalchemy import text

    words = [f"w{i}" for i in range(200_000)]
    lit = tsvector_literal(words)
    n = conn.execute(text("SELECT length(CAST(:lit AS tsvector))"), {"lit": lit}).scalar()
    assert 0 < n < 200_000


def test_bm25_sql_matches_python_bm25(conn):
    from sqlalchemy import text

    texts = {
        "d1": "风电滚子磨削烧伤检测",
        "d2": "风电轴承滚子的精密磨削与热处理",
        "d3": "永磁同步电机效率提升",
        "d4": "Grinding burn detection of wind turbine rollers",
        "d5": "喷气织机节能改造与变频器",
    }
    conn.execute(
        text("CREATE TEMP TABLE lex_t (id text PRIMARY KEY, lex tsvector NOT NULL, lex_len int NOT NULL)")
    )
    tokens = {i: index_tokens(t) for i, t in texts.items()}
    for i, toks in tokens.items():
        conn.execute(
            text("INSERT INTO lex_t VALUES (:id, CAST(:lex AS tsvector), :n)"),
            {"id": i, "lex": tsvector_literal(toks), "n": len(toks)},
        )
    q = query_tokens("风电滚子磨削后表面烧伤 grinding")
    rows = conn.execute(
        text(lexical.bm25_sql("lex_t", length="d.lex_len")),
        {"tsq": tsquery_literal(q), "terms": search_terms(q), "limit": 10},
    ).all()
    tfs = {i: term_frequencies(t) for i, t in tokens.items()}
    df = {term: sum(1 for tf in tfs.values() if term in tf) for term in q}
    avg = sum(len(t) for t in tokens.values()) / len(tokens)
    expected = bm25_rank(q, [(i, tfs[i], len(tokens[i])) for i in tokens], df, len(tokens), avg)
    expected = [(i, s) for i, s in expected if s > 0]
    assert [r.id for r in rows] == [i for i, _ in expected]
    assert [round(r.score, 6) for r in rows] == [round(s, 6) for _, s in expected]
    assert rows[0].id == "d1"

    # The default document length is the number of distinct lexemes: no extra column needed.
    rows = conn.execute(
        text(lexical.bm25_sql("lex_t")), {"tsq": tsquery_literal(q), "terms": search_terms(q), "limit": 10}
    ).all()
    avg = sum(len(tf) for tf in tfs.values()) / len(tfs)
    expected = bm25_rank(q, [(i, tfs[i], len(tfs[i])) for i in tokens], df, len(tokens), avg)
    assert [(r.id, round(r.score, 6)) for r in rows] == [(i, round(s, 6)) for i, s in expected if s > 0]

    # A where clause defines the collection.
    rows = conn.execute(
        text(lexical.bm25_sql("lex_t", where="d.id <> 'd1'")),
        {"tsq": tsquery_literal(q), "terms": search_terms(q), "limit": 10},
    ).all()
    assert "d1" not in {r.id for r in rows} and rows[0].id == "d2"


def _fill(conn, texts: dict[int, str]) -> None:
    from sqlalchemy import text

    conn.execute(text("CREATE TEMP TABLE fb_t (id bigint PRIMARY KEY, lex tsvector NOT NULL)"))
    for i, t in texts.items():
        conn.execute(text("INSERT INTO fb_t VALUES (:id, CAST(:lex AS tsvector))"),
                     {"id": i, "lex": tsvector_literal(index_tokens(t))})


FEEDBACK_TEXTS = {
    1: "风电滚子磨削烧伤检测 巴克豪森噪声",
    2: "风电轴承滚子磨削烧伤的巴克豪森噪声与涡流检测",
    3: "永磁同步电机效率提升",
    4: "数控机床主轴热误差补偿",
    5: "巴克豪森噪声用于齿轮磨削烧伤检测",
}
OTHER_TOPICS = ["永磁电机绕组温升", "减速器齿轮啮合噪声", "氢燃料电池无人机续航", "工业机器人关节柔性",
                "喷气织机节能改造", "五轴数控机床联动精度", "纺织印染废水处理", "铸造缺陷的射线检测",
                "伺服电机振动抑制", "复合材料叶片疲劳", "轴承润滑脂寿命", "激光熔覆修复曲轴"]


def test_weighted_bm25_scales_each_terms_contribution(conn):
    from sqlalchemy import text

    _fill(conn, FEEDBACK_TEXTS)
    q = search_terms(query_tokens("磨削烧伤"))
    params = {"tsq": tsquery_literal(q), "terms": q, "limit": 10}
    plain = dict(conn.execute(text(lexical.bm25_sql("fb_t")), params).tuples().all())
    ones = dict(conn.execute(text(lexical.bm25_sql("fb_t", weighted=True)),
                             params | {"weights": [1.0] * len(q)}).tuples().all())
    assert ones == pytest.approx(plain)
    halves = dict(conn.execute(text(lexical.bm25_sql("fb_t", weighted=True)),
                               params | {"weights": [0.5] * len(q)}).tuples().all())
    assert halves == pytest.approx({i: s / 2 for i, s in plain.items()})
    # weighting one term only moves the documents holding it
    only = q.index("磨削")
    tilted = dict(conn.execute(text(lexical.bm25_sql("fb_t", weighted=True)),
                               params | {"weights": [3.0 if n == only else 1.0 for n in range(len(q))]}).tuples().all())
    assert all(tilted[i] > plain[i] for i in plain)


def test_feedback_terms_are_the_distinctive_terms_of_the_feedback_documents(conn):
    from sqlalchemy import text

    _fill(conn, FEEDBACK_TEXTS | {10 + i: t for i, t in enumerate(OTHER_TOPICS)})
    query = search_terms(query_tokens("风电滚子磨削烧伤"))
    rows = conn.execute(text(lexical.feedback_terms_sql("fb_t")),
                        {"ids": [1, 2], "weights": [1.0, 1.0], "exclude": query, "pool": 40}).all()
    terms = dict(lexical.expansion_terms(rows, 5))
    assert len(terms) == 5 and max(terms.values()) == 1.0 and min(terms.values()) > 0
    assert not set(terms) & set(query)
    assert all(len(t) > 1 for t in terms)  # single Han characters are never expansion terms
    assert {"巴克", "豪森", "噪声"} & set(terms)  # in both feedback documents
    assert "电机" not in terms  # not in the feedback documents


def test_bm25_more_equals_a_full_weighted_bm25_of_the_grown_query(conn):
    from sqlalchemy import text

    texts = FEEDBACK_TEXTS | {10 + i: t for i, t in enumerate(OTHER_TOPICS)}
    _fill(conn, texts)
    query = search_terms(query_tokens("风电滚子磨削烧伤"))
    for limit in (2, 5, 50):  # a small top-k makes the first pass's own top-k matter
        params = {"tsq": tsquery_literal(query), "terms": query, "limit": limit}
        first = conn.execute(text(lexical.bm25_sql("fb_t", with_stats=True)), params).all()
        plain = conn.execute(text(lexical.bm25_sql("fb_t")), params).all()
        assert [(r.id, r.score) for r in first] == pytest.approx([tuple(r) for r in plain])
        # the statistics the scores came from: exact df of every query term found, N and the mean length
        tfs = {i: term_frequencies(index_tokens(t)) for i, t in texts.items()}
        assert dict(zip(first[0].df_terms, first[0].df_values, strict=True)) == {
            t: sum(1 for tf in tfs.values() if t in tf) for t in query if any(t in tf for tf in tfs.values())}
        assert first[0].n == len(texts)
        assert first[0].avg_dl == pytest.approx(sum(len(tf) for tf in tfs.values()) / len(texts))

        new = ["巴克", "豪森", "噪声", "齿轮"]  # 齿轮 lifts document 5, which holds few query terms
        weights = dict.fromkeys(query, 1.0) | dict.fromkeys(new, 0.5)
        terms = list(weights)
        full = conn.execute(text(lexical.bm25_sql("fb_t", weighted=True)),
                            {"tsq": tsquery_literal(terms), "terms": terms,
                             "weights": [weights[t] for t in terms], "limit": limit}).all()
        more = conn.execute(text(lexical.bm25_more_sql("fb_t")), {
            "tsq": tsquery_literal(new), "also": [r.id for r in first], "terms": terms,
            "weights": [weights[t] for t in terms], "known": first[0].df_terms, "known_df": first[0].df_values,
            "n": first[0].n, "avg_dl": first[0].avg_dl, "limit": limit}).all()
        assert [r.id for r in more] == [r.id for r in full]
        assert [r.score for r in more] == pytest.approx([r.score for r in full])
    assert 5 in {r.id for r in full}


def test_candidate_terms_take_the_rarest_terms_within_the_row_budget():
    df = {"磨削": 3, "烧伤": 50, "研究": 900, "磨": 5, "bearing": 20, "the": 990}
    terms = ["研究", "磨", "磨削", "烧伤", "bearing", "the", "unknown"]
    # no single Chinese character, nothing unknown, nothing in more than 5 % of 1,000 documents; rarest first
    assert lexical.candidate_terms(terms, df, 1000, min_terms=1) == ["磨削", "bearing", "烧伤"]
    # a budget of 60 rows: 3 + 20 fit, the next term's 50 would not
    assert lexical.candidate_terms(terms, df, 1000, budget=60, min_terms=1) == ["磨削", "bearing"]
    # at most per_term rows a term count against the budget
    assert lexical.candidate_terms(terms, df, 1000, per_term=10, budget=30, min_terms=1) == ["磨削", "bearing", "烧伤"]
    # common terms only to reach min_terms
    assert lexical.candidate_terms(terms, df, 1000, min_terms=4) == ["磨削", "bearing", "烧伤", "研究"]


def test_a_large_collections_first_pass_rescores_the_best_share_of_a_full_pool():
    assert lexical.rescored(400, lexical.RESCORE_ALL_UP_TO) == 400
    assert lexical.rescored(400, 100_000) == round(400 * lexical.RESCORE_SHARE) < 400
    assert lexical.rescored(200, 100_000, also=[7]) == 200  # a feedback pass rescores its whole pool


def test_impact_sql_rescores_the_share_of_a_full_pool_and_all_of_one_that_is_not(conn):
    from sqlalchemy import text

    texts = {i: f"{t} 磨削" for i, t in enumerate(["风电滚子磨削烧伤检测", "风电轴承滚子磨削", *OTHER_TOPICS], 1)}
    _fill(conn, texts)
    conn.execute(text("CREATE TEMP TABLE fb_terms (term text, impact real, posting bigint, "
                      "PRIMARY KEY (term, impact, posting))"))
    conn.execute(text("INSERT INTO fb_terms SELECT u.lexeme, (cardinality(u.positions) * 2.2 / (cardinality("
                      "u.positions) + 1.2 * (0.25 + 0.75 * length(d.lex) / 150.0)))::real, d.id FROM fb_t AS d, "
                      "unnest(d.lex) AS u"))
    tfs = {i: term_frequencies(index_tokens(t)) for i, t in texts.items()}
    q = search_terms(query_tokens("风电滚子磨削烧伤"))
    df = {t: sum(1 for tf in tfs.values() if t in tf) for t in q}
    avg = sum(len(tf) for tf in tfs.values()) / len(tfs)
    # the statistics of a large collection (only df and n enter the idf), so that a full pool is cut
    exact = bm25_rank(q, [(i, tf, len(tf)) for i, tf in tfs.items()], df, 100_000, avg)
    sql = text(lexical.impact_sql("fb_t", "fb_terms", "posting"))
    # every document holds 磨削, so the postings give all 14: a pool of 50 is not full and all are rescored
    params = lexical.impact_params(q, {}, df, 100_000, avg, q, limit=3, per_term=50, pool=50)
    rows = conn.execute(sql, params).all()
    assert rows[0].pooled == len(texts) < 50 and params["rescore"] < 50
    assert [(r.id, round(r.score, 6)) for r in rows] == [(i, round(s, 6)) for i, s in exact[:3]]
    # a full pool of 8: only its best 6 are rescored, which hold the exact top 3
    params = dict(params, pool=8, rescore=6)
    rows = conn.execute(sql, params).all()
    assert rows[0].pooled == 8
    assert [r.id for r in rows] == [i for i, _ in exact[:3]]
    # ... and a share of 1 rescores the pool's single best posting only
    rows = conn.execute(sql, dict(params, rescore=1, limit=10)).all()
    assert len(rows) == 1


def test_the_pool_counts_each_candidate_term_a_posting_holds_when_only_part_of_it_is_rescored(conn):
    from sqlalchemy import text

    # posting 1 holds three candidate terms of small weight, posting 2 one term of large weight
    _fill(conn, {1: "在线检测仪器", 2: "磨削工艺"})
    conn.execute(text("CREATE TEMP TABLE fb_terms (term text, impact real, posting bigint, "
                      "PRIMARY KEY (term, impact, posting))"))
    conn.execute(text("INSERT INTO fb_terms SELECT u.lexeme, 1.0, d.id FROM fb_t AS d, unnest(d.lex) AS u"))
    q = search_terms(query_tokens("磨削在线检测"))
    sql = text(lexical.impact_sql("fb_t", "fb_terms", "posting"))
    params = {"cterms": ["磨削", "在线", "线检", "检测"], "cweights": [10.0, 1.0, 1.0, 1.0], "terms": q,
              "idf": [1.0] * len(q), "avg_dl": 8.0, "also": [], "per_term": 10, "pool": 2, "rescore": 1,
              "limit": 10}
    # a full pool of 2 of which only the best is rescored: 10 against 3 without the bonus, 15 against 18 with 5
    assert [r.id for r in conn.execute(sql, dict(params, bonus=0.0))] == [2]
    assert [r.id for r in conn.execute(sql, dict(params, bonus=5.0))] == [1]
    # a pool rescored whole returns both, whatever the bonus
    assert {r.id for r in conn.execute(sql, dict(params, bonus=5.0, rescore=2))} == {1, 2}


def test_the_matched_term_bonus_applies_only_where_part_of_the_pool_is_rescored():
    def params(n_docs: int, also: tuple = ()) -> dict:
        return lexical.impact_params(["磨削"], {}, {"磨削": 3}, n_docs, 100.0, ["磨削"], limit=10, also=also)

    assert params(100_000)["bonus"] == lexical.MATCHED_TERM_BONUS > 0
    assert params(100_000)["rescore"] == round(lexical.POOL * lexical.RESCORE_SHARE)
    # a collection the size of the bench sets, and a feedback pass, rescore their whole pool in the impact order
    assert params(lexical.RESCORE_ALL_UP_TO)["bonus"] == 0.0
    assert params(100_000, also=(7,))["bonus"] == 0.0
