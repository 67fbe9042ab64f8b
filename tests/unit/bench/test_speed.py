"""`matchmaker bench --quick` runs end to end on the test server and ends with one JSON line of figures."""

import json
import os
import subprocess
import sys

import psycopg

from backend.config import ROOT

REQUIRED = ("embed_p95_ms", "save_to_matches_p95_s", "query_p95_ms_10k", "query_p95_ms_100k", "recall_at_10_100k",
            "hnsw_build_s_100k", "exact_over_hnsw_ratio_100k", "lexical_p95_ms_100k", "retrieve_p50_ms_100k",
            "retrieve_p95_ms_100k", "lexical_overlap_at_10_100k", "filtered_recall_at_10_100k",
            "filtered_short_results", "query_p95_ms_1m", "recall_at_10_1m", "retrieve_p50_ms_1m")


def test_quick_bench_reports_every_figure(pg_server_url: str):
    # The 2k corpus passes the dense graph's threshold: the bench builds and reads the graph the product would hold.
    env = dict(os.environ, MATCHMAKER_DATABASE_URL=pg_server_url, MATCHMAKER_DENSE_GRAPH_FROM="2000")
    env.pop("MATCHMAKER_BROKER_URL", None)  # the database broker: no Redis needed
    done = subprocess.run(
        [sys.executable, "-m", "backend.cli", "bench", "--quick", "--sizes", "1000,2000", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])

    for key in REQUIRED:
        assert key in figures, key
    assert figures["sizes"] == [1000, 2000]
    # The sizes that ran have every figure; the 10k/100k ones are present but null.
    measured = ["embed_p95_ms", "embed_zh_p50_ms", "embed_en_p95_ms", "save_to_matches_p50_s",
                "save_to_matches_p95_s", "save_commit_p50_s"]
    for tag in ("1k", "2k"):
        measured += [f"{k}_{tag}" for k in ("query_p50_ms", "query_p95_ms", "hnsw_build_s", "hnsw_size_mb",
                                            "exact_p50_ms", "exact_over_hnsw_ratio", "retrieve_p95_ms")]
    for key in measured:
        value = figures[key]
        assert isinstance(value, int | float) and value > 0, (key, value)
    assert (figures["hnsw_graph_1k"], figures["query_ef_search_1k"]) == ("first", 100)
    assert (figures["hnsw_graph_2k"], figures["query_ef_search_2k"]) == ("dense", 150)
    assert "ix_capabilities_embedding_hnsw_dense" in figures["hnsw_plan_2k"] or "Seq Scan" in figures["hnsw_plan_2k"]
    for tag in ("1k", "2k"):
        assert 0.8 <= figures[f"recall_at_10_{tag}"] <= 1.0
        assert figures[f"exact_sql_agrees_with_numpy_{tag}"] >= 0.99
    # The lexical first pass on real texts (impact postings + exact rescoring against exact BM25), the filtered
    # dense top-10, and the lexical index's build.
    for tag in ("1k", "2k"):
        for key in ("lexical_p50_ms", "lexical_p95_ms", "lexical_exact_p50_ms", "lexical_index_build_s",
                    "lexical_index_mb", "filtered_p95_ms", "database_mb"):
            assert figures[f"{key}_{tag}"] > 0, key
        assert figures[f"lexical_overlap_at_10_{tag}"] >= 0.9
        assert figures[f"filtered_recall_at_10_{tag}"] >= 0.9 and figures[f"filtered_short_results_{tag}"] == 0
    assert "Lexical first pass" in done.stdout and "Filtered dense top-10" in done.stdout
    for key in ("query_p95_ms_100k", "recall_at_10_100k", "lexical_p95_ms_100k", "lexical_overlap_at_10_100k",
                "filtered_recall_at_10_100k", "filtered_short_results", "query_p95_ms_1m", "retrieve_p50_ms_1m"):
        assert figures[key] is None, key
        assert figures["targets_met"].get(key) is None
    assert figures["save_to_matches_runs"] == 2 and figures["save_to_matches_corpus"] == 1000
    assert figures["targets_met"]["query_p95_ms_100k"] is None
    # The bulk import ran through the product's path (100 rows in a quick run, 1,000 in a full one).
    assert figures["import_rows"] == 100 and figures["import_s"] > 0 and figures["import_1000_rows_s"] is None
    assert "Bulk import of a 100-row capability sheet" in done.stdout
    # The report is printed above the JSON line; the scratch database is gone afterwards.
    assert "Save to matches visible" in done.stdout and "Top-10 query" in done.stdout
    with psycopg.connect(pg_server_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        left = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'matchmaker_bench'").fetchone()
    assert left is None


def test_the_bench_can_run_on_a_throwaway_cluster_configured_as_production(tmp_path, monkeypatch):
    """MATCHMAKER_BENCH_SERVER=production: an embedded cluster of the bench's own with docker-compose.yml's
    PostgreSQL settings, deleted afterwards; unset, the configured server."""
    from backend.bench import speed
    from backend.config import get_settings

    settings = get_settings().model_copy(update={"data_dir": tmp_path})
    monkeypatch.setenv("MATCHMAKER_BENCH_SERVER", "production")
    with speed.bench_server(settings) as (url, server):
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            shown = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in speed.PRODUCTION_SERVER}
        assert server == "production" and shown == speed.PRODUCTION_SERVER
        assert (tmp_path / "bench-pg" / "PG_VERSION").exists()
    assert not (tmp_path / "bench-pg").exists()
