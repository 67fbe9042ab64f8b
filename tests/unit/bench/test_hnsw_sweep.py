"""`python -m backend.bench.hnsw_sweep`: one HNSW configuration on a throwaway cluster of its own, measured against
the exact top 10 of the bench's vectors."""

from backend.bench import hnsw_sweep


def test_the_sweep_builds_one_index_and_measures_recall_against_the_exact_top_10(tmp_path):
    pgdata = tmp_path / "pg"
    result = hnsw_sweep.main(["--size", "3000", "--draw", "3000", "--queries", "40", "--warmup", "5",
                              "--m", "8", "--ef-construction", "16", "--ef-search", "10,200",
                              "--storage", "halfvec", "--pgdata", str(pgdata), "--shared-buffers", "128MB",
                              "--maintenance-work-mem", "64MB", "--parallel-workers", "0"])
    assert result["server"]["shared_buffers"] == "128MB" and result["server"]["pgvector"]
    assert result["index"] in result["plan"]  # the timed queries used the index built
    assert result["index_mb"] > 0 and result["build_s"] > 0 and result["table_reused"] is False
    narrow, wide = result["runs"]
    assert (narrow["ef_search"], wide["ef_search"]) == (10, 200) and narrow["queries"] == 40
    # a wider search finds more of the exact top 10; at 3,000 rows ef_search 200 finds nearly all of it
    assert narrow["recall_at_10"] <= wide["recall_at_10"] and wide["recall_at_10"] >= 0.95
    assert wide["recall_tie_aware"] >= wide["recall_at_10"] and 0 < wide["p50_ms"] <= wide["p95_ms"]
    assert 0.95 <= result["exact_halfvec_recall_at_10"] <= 1.0
    assert not pgdata.exists()  # deleted without --keep
