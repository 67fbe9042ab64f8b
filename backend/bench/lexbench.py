"""Measure lexical ranking (PostgreSQL ts_rank variants vs BM25) per Chinese tokenization.

Run ``python -m backend.bench.lexbench [--queries N] [--latency N]``. Loads /work/shared/bench/csl_zh and
scifact_en into a scratch embedded PostgreSQL (var/lexbench-pg), one table per tokenization with a GIN
index, and prints nDCG@10 of every ranking function and the latency of the GIN candidate queries.
"""

import argparse
import json
import math
import statistics
import time
from collections import defaultdict
from pathlib import Path

from matching import lexical
from matching.text import posting_text

BENCH = Path("/work/shared/bench")
PGDATA = Path(__file__).resolve().parents[2] / "var" / "lexbench-pg"

# name -> (Chinese mode, unigrams in the query)
TOKENIZERS = {
    "chars": ("chars", True),
    "chars-qbi": ("chars", False),
    "jieba": ("jieba", True),
    "both": ("both", True),
    "both-qbi": ("both", False),
}
PG_RANKS = {
    "ts_rank": "ts_rank(lex, q)",
    "ts_rank/1": "ts_rank(lex, q, 1)",
    "ts_rank/32": "ts_rank(lex, q, 32)",
    "ts_rank_cd": "ts_rank_cd(lex, q)",
    "ts_rank_cd/1": "ts_rank_cd(lex, q, 1)",
}


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, did, rel = line.split("\t")
            qrels[qid][did] = int(rel)
    return qrels


def ndcg_at_10(ranked: list[str], rels: dict[str, int]) -> float:
    """nDCG@10 with gain 2^rel - 1 (as the baselines in the bench README; same as linear for 0/1 labels)."""
    dcg = sum((2 ** rels.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted((r for r in rels.values() if r > 0), reverse=True)[:10]
    idcg = sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def text_of(rec: dict) -> str:
    return posting_text(rec.get("title"), rec.get("text"))


class Corpus:
    """Tokenized documents with an inverted index, for exact BM25 in Python."""

    def __init__(self, records: list[dict], mode: str):
        self.ids = [r["id"] for r in records]
        self.tokens = [lexical.index_tokens(text_of(r), mode=mode) for r in records]
        self.tfs = [lexical.term_frequencies(t) for t in self.tokens]
        self.n_tokens = [len(t) for t in self.tokens]
        # Document length = distinct lexemes, as bm25_sql's default length(lex).
        self.lengths = [len(tf) for tf in self.tfs]
        self.n = len(self.ids)
        self.avg_len = sum(self.lengths) / self.n
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, tf in enumerate(self.tfs):
            for term in tf:
                self.postings[term].append(i)
        self.df = {t: len(p) for t, p in self.postings.items()}

    def bm25_top(self, terms: list[str], k: int = 10) -> list[str]:
        candidates = {i for t in terms for i in self.postings.get(t, ())}
        ranked = lexical.bm25_rank(
            terms,
            ((self.ids[i], self.tfs[i], self.lengths[i]) for i in candidates),
            self.df,
            self.n,
            self.avg_len,
            limit=k,
        )
        return [doc_id for doc_id, _ in ranked]


def build_table(conn, table: str, corpus: Corpus) -> None:
    from sqlalchemy import text

    conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    conn.execute(
        text(f"CREATE TABLE {table} (id text PRIMARY KEY, lex tsvector NOT NULL, lex_len int NOT NULL)")
    )
    rows = [
        {"id": i, "lex": lexical.tsvector_literal(t), "n": len(t)}
        for i, t in zip(corpus.ids, corpus.tokens, strict=True)
    ]
    conn.execute(text(f"INSERT INTO {table} VALUES (:id, CAST(:lex AS tsvector), :n)"), rows)
    conn.execute(text(f"CREATE INDEX {table}_lex ON {table} USING gin (lex)"))
    conn.execute(text(f"ANALYZE {table}"))


def pg_rankings(conn, table: str, tsq: str) -> dict[str, list[str]]:
    from sqlalchemy import text

    cols = ", ".join(f"{expr} AS r{i}" for i, expr in enumerate(PG_RANKS.values()))
    tops = ", ".join(f"ARRAY(SELECT id FROM m ORDER BY r{i} DESC, id LIMIT 10)" for i in range(len(PG_RANKS)))
    sql = f"WITH m AS (SELECT id, {cols} FROM {table}, CAST(:q AS tsquery) AS q WHERE lex @@ q) SELECT {tops}"
    row = conn.execute(text(sql), {"q": tsq}).one()
    return dict(zip(PG_RANKS, (list(r) for r in row), strict=True))


def timed(conn, sql: str, params: dict) -> tuple[float, list]:
    from sqlalchemy import text

    t0 = time.perf_counter()
    rows = conn.execute(text(sql), params).all()
    return (time.perf_counter() - t0) * 1000, rows


def evaluate(conn, table, corpus, queries, qrel_sets, mode, unigrams, latency_n):
    """nDCG@10 per ranking and qrel set, and latency samples, for one query set."""
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    lat: dict[str, list[float]] = defaultdict(list)
    matched = []
    cand_sql = (
        f"SELECT id FROM {table}, CAST(:q AS tsquery) AS q WHERE lex @@ q "
        "ORDER BY ts_rank(lex, q) DESC LIMIT 50"
    )
    bm25_sql = lexical.bm25_sql(table)
    agree = []
    judged = [q for q in queries if any(q["id"] in qs for qs in qrel_sets.values())]
    for n, q in enumerate(judged):
        if unigrams:
            toks = lexical.query_tokens(text_of(q), mode=mode)
        else:
            toks = list(dict.fromkeys(lexical._tokens(text_of(q), mode, unigrams=False)))
        terms = lexical.search_terms(toks)
        tsq = lexical.tsquery_literal(toks)
        ranks = pg_rankings(conn, table, tsq) if tsq else dict.fromkeys(PG_RANKS, [])
        ranks["bm25 (python)"] = corpus.bm25_top(terms)
        if tsq and n < latency_n:
            ms, rows = timed(conn, cand_sql, {"q": tsq})
            lat["gin+ts_rank top50"].append(ms)
            matched.append(
                conn.exec_driver_sql(
                    f"SELECT count(*) FROM {table} WHERE lex @@ %(q)s::tsquery", {"q": tsq}
                ).scalar()
            )
            ms, rows = timed(conn, bm25_sql, {"tsq": tsq, "terms": terms, "limit": 50})
            lat["gin+bm25 sql top50"].append(ms)
            sql_top = [r[0] for r in rows[:10]]
            agree.append(sql_top == ranks["bm25 (python)"])
        for qname, qrels in qrel_sets.items():
            if q["id"] in qrels:
                for rname, ranked in ranks.items():
                    scores[(qname, rname)].append(ndcg_at_10(ranked, qrels[q["id"]]))
    return scores, lat, matched, agree


def long_query_latency(conn, table: str, queries: list[dict]) -> dict[str, list]:
    """Latency of the two GIN queries for long texts searched with the product's query_tokens()."""
    lat: dict[str, list] = defaultdict(list)
    cand_sql = (
        f"SELECT id FROM {table}, CAST(:q AS tsquery) AS q WHERE lex @@ q "
        "ORDER BY ts_rank(lex, q) DESC LIMIT 50"
    )
    for q in queries:
        toks = lexical.query_tokens(text_of(q), mode="chars")
        tsq = lexical.tsquery_literal(toks)
        if not tsq:
            continue
        lat["gin+ts_rank top50"].append(timed(conn, cand_sql, {"q": tsq})[0])
        params = {"tsq": tsq, "terms": lexical.search_terms(toks), "limit": 50}
        lat["gin+bm25 sql top50"].append(timed(conn, lexical.bm25_sql(table), params)[0])
        count_sql = f"SELECT count(*) FROM {table} WHERE lex @@ %(q)s::tsquery"
        lat["matched"].append(conn.exec_driver_sql(count_sql, {"q": tsq}).scalar())
        lat["terms"].append(len(toks))
    return lat


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=0, help="use only the first N queries of each set")
    parser.add_argument("--scifact-queries", type=int, default=0, help="first N scifact queries of each set")
    parser.add_argument("--latency", type=int, default=50, help="time the first N queries of each set")
    parser.add_argument("--tokenizers", default=",".join(TOKENIZERS), help=f"of {','.join(TOKENIZERS)}")
    parser.add_argument("--skip-scifact", action="store_true")
    parser.add_argument("--long", type=int, default=30, help="time N whole abstracts as queries (chars)")
    args = parser.parse_args(argv)

    from sqlalchemy import create_engine

    from backend import embedded

    engine = create_engine(embedded.start(PGDATA))
    cut = (lambda xs: xs[: args.queries]) if args.queries else (lambda xs: xs)
    sf_cut = (lambda xs: xs[: args.scifact_queries]) if args.scifact_queries else (lambda xs: xs)

    csl = BENCH / "csl_zh"
    csl_docs = load_jsonl(csl / "capabilities.jsonl")
    csl_sets = {
        "title": cut(load_jsonl(csl / "needs.jsonl")),
        "keywords": cut(load_jsonl(csl / "needs_keywords.jsonl")),
    }
    csl_qrels = {
        "known": load_qrels(csl / "qrels.tsv"),
        "discipline": load_qrels(csl / "qrels_discipline.tsv"),
    }
    results: dict[str, dict[tuple[str, str], float]] = {}
    latency: dict[str, dict[str, list[float]]] = {}
    corpora: dict[str, Corpus] = {}
    for name in args.tokenizers.split(","):
        mode, unigrams = TOKENIZERS[name]
        t0 = time.perf_counter()
        if mode not in corpora:
            corpora[mode] = Corpus(csl_docs, mode)
            with engine.begin() as conn:
                build_table(conn, f"lex_csl_{mode}", corpora[mode])
        corpus = corpora[mode]
        build_s = time.perf_counter() - t0
        with engine.connect() as conn:
            for sname, queries in csl_sets.items():
                scores, lat, matched, agree = evaluate(
                    conn, f"lex_csl_{mode}", corpus, queries, csl_qrels, mode, unigrams, args.latency
                )
                key = f"csl {sname} / {name}"
                results[key] = {k: statistics.fmean(v) for k, v in scores.items()}
                latency[key] = dict(lat)
                latency[key]["matched"] = matched
                latency[key]["bm25 sql == python"] = agree
        avg_tokens = sum(corpus.n_tokens) / corpus.n
        print(f"[{name}] corpus tokenized+indexed in {build_s:.1f}s, {avg_tokens:.0f} tokens/doc", flush=True)

    if args.long and "chars" in corpora:
        # Long queries: whole abstracts searched with query_tokens() (the capability -> needs direction).
        long_queries = [{"id": f"long:{r['id']}", "title": r["title"], "text": r["text"]} for r in csl_docs]
        with engine.connect() as conn:
            latency["csl abstract as query / chars"] = long_query_latency(
                conn, "lex_csl_chars", long_queries[: args.long]
            )

    if not args.skip_scifact:
        sf = BENCH / "scifact_en"
        corpus = Corpus(load_jsonl(sf / "capabilities.jsonl"), "chars")
        with engine.begin() as conn:
            build_table(conn, "lex_scifact", corpus)
        for sname, qfile, qrfile in (
            ("dev", "needs_dev.jsonl", "qrels_dev.tsv"),
            ("test", "needs.jsonl", "qrels.tsv"),
        ):
            with engine.connect() as conn:
                scores, lat, matched, agree = evaluate(
                    conn,
                    "lex_scifact",
                    corpus,
                    sf_cut(load_jsonl(sf / qfile)),
                    {"relevant": load_qrels(sf / qrfile)},
                    "chars",
                    True,
                    args.latency,
                )
            key = f"scifact {sname}"
            results[key] = {k: statistics.fmean(v) for k, v in scores.items()}
            latency[key] = dict(lat)
            latency[key]["matched"] = matched
            latency[key]["bm25 sql == python"] = agree

    rankers = [*PG_RANKS, "bm25 (python)"]
    print("\nnDCG@10")
    print(f"{'query set / tokenizer':<28} {'qrels':<10} " + " ".join(f"{r:>13}" for r in rankers))
    for key, res in results.items():
        for qname in dict.fromkeys(q for q, _ in res):
            cells = " ".join(f"{res.get((qname, r), float('nan')):>13.3f}" for r in rankers)
            print(f"{key:<28} {qname:<10} {cells}")
    print("\nlatency (ms, median / p95) and candidates matched by the OR query (median of the timed queries)")
    for key, lat in latency.items():
        parts = []
        for lname in ("gin+ts_rank top50", "gin+bm25 sql top50"):
            v = sorted(lat.get(lname, []))
            if v:
                parts.append(f"{lname} {statistics.median(v):.1f}/{v[int(0.95 * (len(v) - 1))]:.1f}")
        if lat.get("terms"):
            parts.append(f"query terms {statistics.median(lat['terms']):.0f}")
        m = lat.get("matched") or [0]
        agree = lat.get("bm25 sql == python") or []
        parts.append(f"matched {statistics.median(m):.0f}")
        parts.append(f"bm25 sql top10 == python {sum(agree)}/{len(agree)}")
        print(f"{key:<28} " + "; ".join(parts))


if __name__ == "__main__":
    main()
