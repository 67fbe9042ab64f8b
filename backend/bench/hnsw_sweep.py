"""Dense top-10 on one HNSW index: build time, size, latency and recall for one graph configuration.

Run ``python -m backend.bench.hnsw_sweep --size 1000000 --m 32 --ef-construction 128 --ef-search 100,200,400
--storage halfvec --json``. Progress goes to stderr; the last stdout line is one JSON object of the figures.

Why: ``matchmaker bench`` measures the dense top-10 through the product's schema on the embedded server's
defaults (m = 16, ef_construction = 64, 128 MB of shared_buffers). At 1M postings that index (1.95 GB) misses
the targets (p95 ≤ 15 ms, recall@10 ≥ 0.95; docs/scaling.md, "Dense search at 1M"). This script isolates the
one query to find which graph (m, ef_construction), which storage (``vector`` or ``halfvec``) and how much
server memory meet them, and what the build costs.

What it does, in order:

1. Starts a throwaway embedded PostgreSQL cluster of its own in ``--pgdata`` (under /tmp by default), with the
   server settings given (``--shared-buffers``, ``--maintenance-work-mem``, ``--parallel-workers`` as
   max_parallel_maintenance_workers, ``--setting name=value`` for any other), applied by ALTER SYSTEM and a
   restart, by ``speed.start_cluster`` as the bench's production server. The cluster is deleted at the end unless
   ``--keep``.
2. Draws the bench's synthetic clustered vectors with ``speed.Corpus`` and its seed, exactly as ``matchmaker
   bench`` does: ``--draw`` vectors (default 1,000,000 as in the documented ``--sizes 10000,100000,1000000``
   run, so the first 100k rows here are the bench's 100k rows), then the query set (300 by default, the
   bench's), and loads the first ``--size`` of them by binary COPY into a minimal table ``dense_bench(id int
   primary key, embedding vector(384))`` (id = row number + 1, as in the bench). With ``--keep`` a later run
   with the same size and draw reuses the loaded table, and an index of the same configuration.
3. Builds one HNSW index (``vector_cosine_ops`` on the column, or with ``--storage halfvec`` the expression
   index ``(embedding::halfvec(384)) halfvec_cosine_ops``, which a migration could add without changing the
   column) with ``maintenance_work_mem`` and the parallel workers set; it times the CREATE INDEX, samples the
   memory the build holds (the new dynamic shared memory segments of a parallel build plus the backend's
   anonymous memory, peak), keeps pgvector's notices (it says when the graph outgrows maintenance_work_mem)
   and reports the index size (``pg_relation_size``). Other HNSW indexes on the table are dropped first, so
   the planner has one choice. With ``--probe-graph-memory`` it first measures the build memory a vector
   needs: a build with 64 MB, cancelled when pgvector says the graph no longer fits "after N tuples".
4. Warms the table, then the index, with ``pg_prewarm`` into shared_buffers (what a server that has been serving
   for a while holds, if they fit; ``--no-prewarm`` to skip), then ``--warmup`` untimed queries before each
   ef_search's timed pass.
5. For each ``--ef-search``: times each query at the client (psycopg, binary vector parameter, autocommit, as
   ``speed.bench_queries`` does) for p50/p95/max, and computes recall@10 against the exact top 10 from numpy
   (``speed.exact_top``), plus a tie-aware recall (ann-benchmarks style: a returned row counts when its cosine
   distance is ≤ the exact 10th distance + 1e-6) and the worst query's recall. The load average is reported
   at the start, before each ef_search and at the end: on this 2-core shared machine it decides much of p95.

Recall does not depend on the machine's load or memory; latency does, so compare latencies of one run or of
runs at a similar load.
"""

import argparse
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np

from backend.bench.speed import DIM, Corpus, _connect, exact_top, pct, server_facts, start_cluster

TABLE = "dense_bench"
STORAGES = ("vector", "halfvec")
TIE_EPS = 1e-6


_T0 = time.perf_counter()


def step(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


# --- server -------------------------------------------------------------------------------------------


SERVER_FACTS = ("server_version", "shared_buffers", "maintenance_work_mem", "max_parallel_maintenance_workers",
                "effective_cache_size", "work_mem", "jit")


# --- data ---------------------------------------------------------------------------------------------


def draw(n_vectors: int, n_queries: int) -> tuple[np.ndarray, np.ndarray]:
    """The bench's vectors and queries: ``speed.run`` draws max(sizes) vectors, then the query set."""
    corpus = Corpus()
    vectors, _ = corpus.draw(n_vectors)
    queries, _ = corpus.draw(n_queries)
    return vectors, queries


COPY_ROW = np.dtype([("fields", ">i2"), ("id_len", ">i4"), ("id", ">i4"), ("vec_len", ">i4"), ("dim", ">i2"),
                     ("unused", ">i2"), ("values", ">f4", (DIM,))])


def copy_rows(conn, vectors: np.ndarray, chunk: int = 50_000) -> None:  # noqa: ANN001
    """Binary COPY of (id, embedding) for every row, ids 1..n; pgvector's binary vector is int16 dim, int16
    unused, float4 values, all big-endian."""
    with conn.cursor() as cur, cur.copy(f"COPY {TABLE} (id, embedding) FROM STDIN WITH (FORMAT BINARY)") as cp:
        cp.write(b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big"))
        for start in range(0, len(vectors), chunk):
            part = vectors[start : start + chunk]
            rows = np.zeros(len(part), dtype=COPY_ROW)
            rows["fields"], rows["id_len"], rows["vec_len"], rows["dim"] = 2, 4, 4 + 4 * DIM, DIM
            rows["id"] = np.arange(start + 1, start + len(part) + 1)
            rows["values"] = part
            cp.write(rows.tobytes())
        cp.write((-1).to_bytes(2, "big", signed=True))


def ensure_table(conn, vectors: np.ndarray, draw_n: int) -> dict:  # noqa: ANN001
    """The table holding exactly these rows: reused when a kept cluster already has it, else (re)loaded."""
    conn.execute("CREATE TABLE IF NOT EXISTS dense_bench_meta (rows int, drawn int, seed int)")
    from backend.bench.speed import SEED

    meta = conn.execute("SELECT rows, drawn, seed FROM dense_bench_meta").fetchone()
    if meta == (len(vectors), draw_n, SEED) and conn.execute(f"SELECT to_regclass('{TABLE}')").fetchone()[0]:
        return {"table_reused": True, "load_s": None}
    start = time.perf_counter()
    conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
    conn.execute(f"CREATE TABLE {TABLE} (id int PRIMARY KEY, embedding vector({DIM}) NOT NULL)")
    copy_rows(conn, vectors)
    conn.execute(f"VACUUM ANALYZE {TABLE}")
    conn.execute("DELETE FROM dense_bench_meta")
    conn.execute("INSERT INTO dense_bench_meta VALUES (%s, %s, %s)", (len(vectors), draw_n, SEED))
    return {"table_reused": False, "load_s": time.perf_counter() - start}


# --- index --------------------------------------------------------------------------------------------


def index_name(storage: str, m: int, ef_construction: int) -> str:
    return f"dense_bench_{storage}_m{m}_efc{ef_construction}"


def index_ddl(storage: str, m: int, ef_construction: int) -> str:
    column = "embedding vector_cosine_ops" if storage == "vector" else f"(embedding::halfvec({DIM})) halfvec_cosine_ops"
    return (f"CREATE INDEX {index_name(storage, m, ef_construction)} ON {TABLE} USING hnsw ({column}) "
            f"WITH (m = {m}, ef_construction = {ef_construction})")


def query_sql(storage: str) -> str:
    if storage == "vector":
        return f"SELECT id FROM {TABLE} ORDER BY embedding <=> %s LIMIT 10"
    return f"SELECT id FROM {TABLE} ORDER BY embedding::halfvec({DIM}) <=> %s::halfvec({DIM}) LIMIT 10"


class BuildWatch:
    """Samples, while an index builds, the memory it holds (the new dynamic shared memory segments the backend
    has mapped, allocated in full when created, plus its anonymous memory) and pgvector's progress (a second
    connection)."""

    def __init__(self, url: str, backend_pid: int, every: float = 0.5):
        self.url, self.pid, self.every = url, backend_pid, every
        self.before = {p.name for p in Path("/dev/shm").glob("PostgreSQL.*")}
        self.peak_dsm = self.peak_anon = self.peak_total = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        self.stop.set()
        self.thread.join()

    def mapped(self) -> set[str]:
        """The dynamic shared memory segments the building backend has mapped (other clusters on the machine
        create segments in /dev/shm too)."""
        try:
            maps = Path(f"/proc/{self.pid}/maps").read_text()
        except (FileNotFoundError, PermissionError):
            return set()
        return {ln.rsplit("/", 1)[1].split()[0] for ln in maps.splitlines() if "/dev/shm/PostgreSQL." in ln}

    def sample(self) -> None:
        dsm = 0
        for name in self.mapped() - self.before:
            try:
                dsm += (Path("/dev/shm") / name).stat().st_blocks * 512  # allocated pages, not the nominal size
            except FileNotFoundError:
                pass
        anon = 0
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    anon = int(line.split()[1]) * 1024
        except (FileNotFoundError, PermissionError):
            pass
        self.peak_dsm, self.peak_anon = max(self.peak_dsm, dsm), max(self.peak_anon, anon)
        self.peak_total = max(self.peak_total, dsm + anon)

    def run(self) -> None:
        import psycopg

        last = time.perf_counter()
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.wait(self.every):
                self.sample()
                if time.perf_counter() - last >= 30:
                    last = time.perf_counter()
                    row = conn.execute("SELECT phase, tuples_done, tuples_total FROM pg_stat_progress_create_index "
                                       "WHERE pid = %s", (self.pid,)).fetchone()
                    if row:
                        step(f"  build: {row[0]}, {row[1]:,} of {row[2]:,} tuples; memory "
                             f"{(self.peak_dsm + self.peak_anon) / 2**20:,.0f} MB so far; load {load_average()}")


PROBE_MEMORY_MB = 64


def probe_graph_memory(conn, storage: str, m: int, ef_construction: int) -> float | None:  # noqa: ANN001
    """Bytes of build memory per vector: the same CREATE INDEX with maintenance_work_mem of 64 MB, cancelled as
    soon as pgvector says the graph no longer fits "after N tuples" (64 MB / N). None when it never said so."""
    import psycopg

    notices: list[str] = []

    def notice(diag) -> None:  # noqa: ANN001
        notices.append(diag.message_primary or "")

    def watch(done: threading.Event) -> None:
        deadline = time.perf_counter() + 300
        while not done.wait(0.2):
            if any("no longer fits" in n for n in notices) or time.perf_counter() > deadline:
                conn.cancel_safe()
                return

    conn.add_notice_handler(notice)
    conn.execute(f"SET maintenance_work_mem = '{PROBE_MEMORY_MB}MB'")
    done = threading.Event()
    watcher = threading.Thread(target=watch, args=(done,), daemon=True)
    watcher.start()
    try:
        conn.execute(index_ddl(storage, m, ef_construction).replace("CREATE INDEX ", "CREATE INDEX probe_", 1))
    except psycopg.errors.QueryCanceled:
        pass
    finally:
        done.set()
        watcher.join()
        conn.remove_notice_handler(notice)
        conn.execute("RESET maintenance_work_mem")
        conn.execute(f"DROP INDEX IF EXISTS probe_{index_name(storage, m, ef_construction)}")
    for n in notices:
        if "no longer fits" in n:
            return PROBE_MEMORY_MB * 2**20 / int(n.split("after ")[1].split()[0])
    return None


def ensure_index(conn, url: str, storage: str, m: int, ef_construction: int, memory: str,  # noqa: ANN001
                 probe: bool = False) -> dict:
    """The one HNSW index of this configuration on the table (others dropped); built unless kept from before."""
    name = index_name(storage, m, ef_construction)
    conn.execute("CREATE TABLE IF NOT EXISTS dense_bench_builds (name text PRIMARY KEY, figures jsonb)")
    for (other,) in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                                 (TABLE, "% USING hnsw %")).fetchall():
        if other != name:
            conn.execute(f"DROP INDEX {other}")
            conn.execute("DELETE FROM dense_bench_builds WHERE name = %s", (other,))
    kept = conn.execute("SELECT b.figures FROM dense_bench_builds b WHERE b.name = %s AND to_regclass(%s) IS NOT NULL",
                        (name, name)).fetchone()
    if kept:
        return {**kept[0], "index_reused": True}
    conn.execute(f"DROP INDEX IF EXISTS {name}")
    per_vector = probe_graph_memory(conn, storage, m, ef_construction) if probe else None
    if per_vector:
        rows = conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
        step(f"  graph memory probe: {per_vector:,.0f} bytes a vector, {per_vector * rows / 2**20:,.0f} MB for "
             f"{rows:,} rows")
    notices: list[str] = []

    def notice(diag) -> None:  # noqa: ANN001
        notices.append(diag.message_primary)

    conn.add_notice_handler(notice)
    conn.execute(f"SET maintenance_work_mem = '{memory}'")
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    load_before = load_average()
    with BuildWatch(url, pid) as watch:
        start = time.perf_counter()
        conn.execute(index_ddl(storage, m, ef_construction))
        seconds = time.perf_counter() - start
    conn.remove_notice_handler(notice)
    conn.execute("RESET maintenance_work_mem")
    size = conn.execute("SELECT pg_relation_size(%s)", (name,)).fetchone()[0]
    figures = {"index": name, "build_s": seconds, "index_mb": size / 2**20, "build_maintenance_work_mem": memory,
               "build_memory_peak_mb": watch.peak_total / 2**20, "build_dsm_peak_mb": watch.peak_dsm / 2**20,
               "build_backend_anon_peak_mb": watch.peak_anon / 2**20, "build_notices": notices,
               "build_load_average_start": load_before, "build_load_average_end": load_average(),
               "graph_bytes_per_vector": per_vector}
    conn.execute("INSERT INTO dense_bench_builds VALUES (%s, %s::jsonb)", (name, json.dumps(figures)))
    return {**figures, "index_reused": False}


# --- queries ------------------------------------------------------------------------------------------


def prewarm(conn, name: str, table_too: bool) -> dict:  # noqa: ANN001
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
    start = time.perf_counter()
    blocks = 0
    if table_too:  # first, so that the index, read last, stays when shared_buffers cannot hold both
        blocks += conn.execute("SELECT pg_prewarm(%s::regclass)", (TABLE,)).fetchone()[0]
    blocks += conn.execute("SELECT pg_prewarm(%s::regclass)", (name,)).fetchone()[0]
    return {"prewarm_s": time.perf_counter() - start, "prewarm_mb": blocks * 8192 / 2**20}


def timed(conn, sql: str, queries: np.ndarray) -> tuple[list[float], list[list[int]]]:  # noqa: ANN001
    times, ids = [], []
    for q in queries:
        t0 = time.perf_counter()
        rows = conn.execute(sql, (q,)).fetchall()
        times.append(time.perf_counter() - t0)
        ids.append([r[0] for r in rows])
    return times, ids


def recalls(ids: list[list[int]], truth: np.ndarray, vectors: np.ndarray, queries: np.ndarray) -> dict:
    """recall@10 against the exact top 10, and the tie-aware recall: a returned row counts when its cosine
    distance is within 1e-6 of the exact 10th distance or less (distances in float64 from the stored float32
    vectors, whatever the index's storage)."""
    plain, tie_aware = [], []
    for q, got, want in zip(queries, ids, truth, strict=True):
        rows = [i - 1 for i in got]
        plain.append(len(set(rows) & set(want.tolist())) / 10)
        q64 = q.astype(np.float64)
        tenth = 1.0 - float(vectors[want[-1]].astype(np.float64) @ q64)
        dist = 1.0 - vectors[rows].astype(np.float64) @ q64 if rows else np.zeros(0)
        tie_aware.append(min(int(np.sum(dist <= tenth + TIE_EPS)), 10) / 10)
    return {"recall_at_10": float(np.mean(plain)), "recall_at_10_min": float(np.min(plain)),
            "recall_tie_aware": float(np.mean(tie_aware)), "recall_tie_aware_min": float(np.min(tie_aware)),
            "queries_below_0_9": int(np.sum(np.asarray(plain) < 0.9))}


def halfvec_ceiling(queries: np.ndarray, vectors: np.ndarray, truth: np.ndarray) -> float:
    """recall@10 of an exact search over the halfvec-rounded vectors and queries: the most a halfvec index can
    reach against the float32 truth (pgvector's halfvec cosine is the dot product over the norms, in float32)."""

    def rounded(x: np.ndarray) -> np.ndarray:
        out = np.empty_like(x)
        for start in range(0, len(x), 100_000):
            part = x[start : start + 100_000].astype(np.float16).astype(np.float32)
            out[start : start + 100_000] = part / np.linalg.norm(part, axis=1, keepdims=True)
        return out

    half = exact_top(rounded(queries), rounded(vectors))
    return float(np.mean([len(set(a.tolist()) & set(b.tolist())) / 10 for a, b in zip(half, truth, strict=True)]))


def plan_line(conn, sql: str, q: np.ndarray) -> str:  # noqa: ANN001
    lines = [r[0] for r in conn.execute("EXPLAIN " + sql, (q,)).fetchall()]
    return "; ".join(ln.strip().removeprefix("->").strip().split("  (")[0] for ln in lines if "Scan" in ln) or lines[0]


def bench_ef(conn, sql: str, queries: np.ndarray, truth: np.ndarray, vectors: np.ndarray, ef: int,  # noqa: ANN001
             warmup: int) -> dict:
    conn.execute(f"SET hnsw.ef_search = {int(ef)}")
    load = load_average()
    timed(conn, sql, queries[:warmup])
    times, ids = timed(conn, sql, queries)
    return {"ef_search": ef, "load_average": load, "queries": len(times), "p50_ms": pct(times, 50) * 1000,
            "p95_ms": pct(times, 95) * 1000, "p99_ms": pct(times, 99) * 1000, "max_ms": max(times) * 1000,
            "mean_ms": float(np.mean(times)) * 1000, **recalls(ids, truth, vectors, queries)}


# --- main ---------------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m backend.bench.hnsw_sweep", description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=100_000, help="rows in the table (the first SIZE drawn vectors)")
    p.add_argument("--draw", type=int, default=None,
                   help="vectors drawn before the queries (default max(size, 1,000,000), as the bench run with "
                        "--sizes 10000,100000,1000000)")
    p.add_argument("--queries", type=int, default=300, help="timed queries per ef_search (the bench's 300)")
    p.add_argument("--warmup", type=int, default=50, help="untimed queries before each ef_search's timed pass")
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=64)
    p.add_argument("--ef-search", default="100,200,400", help="comma-separated")
    p.add_argument("--storage", choices=STORAGES, default="vector")
    p.add_argument("--pgdata", type=Path, default=Path("/tmp/dense1m/pg"))
    p.add_argument("--shared-buffers", default="6GB")
    p.add_argument("--maintenance-work-mem", default="8GB", help="for the build (SET in its session)")
    p.add_argument("--parallel-workers", type=int, default=1, help="max_parallel_maintenance_workers")
    p.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE", help="any other server setting")
    p.add_argument("--probe-graph-memory", action="store_true",
                   help="before the build, measure the build memory a vector needs (a build with 64 MB, cancelled "
                        "when pgvector says the graph no longer fits)")
    p.add_argument("--no-prewarm", action="store_true", help="no pg_prewarm: the index is read as queries need it")
    p.add_argument("--keep", action="store_true",
                   help="keep the cluster (stopped), its table and index for a later run; else delete it")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object (last stdout line)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse(argv)
    efs = [int(x) for x in args.ef_search.split(",") if x.strip()]
    draw_n = args.draw or max(args.size, 1_000_000)
    if draw_n < args.size:
        raise SystemExit("--draw must be at least --size")
    settings = {"shared_buffers": args.shared_buffers, "max_parallel_maintenance_workers": str(args.parallel_workers),
                "maintenance_work_mem": args.maintenance_work_mem}
    for item in args.setting:
        name, _, value = item.partition("=")
        settings[name.strip()] = value.strip()
    result: dict = {"size": args.size, "drawn": draw_n, "m": args.m, "ef_construction": args.ef_construction,
                    "storage": args.storage, "settings": settings, "cores": os.cpu_count(),
                    "load_average_start": load_average(), "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                       time.gmtime())}
    step(f"drawing {draw_n:,} synthetic vectors and {args.queries} queries (speed.Corpus, seed as the bench)")
    vectors, queries = draw(draw_n, args.queries)
    vectors = vectors[: args.size]
    step("exact top 10 in numpy")
    truth = exact_top(queries, vectors)
    if args.storage == "halfvec":
        result["exact_halfvec_recall_at_10"] = halfvec_ceiling(queries, vectors, truth)
        step(f"exact search over halfvec-rounded vectors: recall@10 {result['exact_halfvec_recall_at_10']:.4f}")
    step(f"starting the cluster in {args.pgdata} with {settings}")
    server = start_cluster(args.pgdata, settings, fresh=not args.keep)
    try:
        url = "postgresql://" + server.get_uri().split("://", 1)[1]
        import psycopg

        with psycopg.connect(url, autocommit=True) as first:
            first.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn = _connect(url)  # registers the vector type: after the extension exists
        try:
            result["server"] = server_facts(conn, SERVER_FACTS)
            step(f"loading {args.size:,} rows by binary COPY (unless kept)")
            result.update(ensure_table(conn, vectors, draw_n))
            result["table_mb"] = conn.execute("SELECT pg_table_size(%s)", (TABLE,)).fetchone()[0] / 2**20
            step(f"building {index_name(args.storage, args.m, args.ef_construction)} "
                 f"(maintenance_work_mem {args.maintenance_work_mem}, {args.parallel_workers} parallel workers)")
            result.update(ensure_index(conn, url, args.storage, args.m, args.ef_construction,
                                       args.maintenance_work_mem, probe=args.probe_graph_memory))
            step(f"  {result['build_s']:.1f} s, {result['index_mb']:,.0f} MB, build memory peak "
                 f"{result['build_memory_peak_mb']:,.0f} MB; notices {result['build_notices']}")
            name = result["index"]
            if not args.no_prewarm:
                result.update(prewarm(conn, name, table_too=True))
                step(f"prewarmed {result['prewarm_mb']:,.0f} MB in {result['prewarm_s']:.1f} s")
            sql = query_sql(args.storage)
            result["plan"] = plan_line(conn, sql, queries[0])
            if name not in result["plan"]:
                raise SystemExit(f"the query does not use {name}: {result['plan']}")
            result["runs"] = []
            for ef in efs:
                figures = bench_ef(conn, sql, queries, truth, vectors, ef, args.warmup)
                step(f"ef_search {ef}: p50 {figures['p50_ms']:.2f} ms, p95 {figures['p95_ms']:.2f} ms, recall@10 "
                     f"{figures['recall_at_10']:.4f}, tie-aware {figures['recall_tie_aware']:.4f} "
                     f"(load {figures['load_average']})")
                result["runs"].append(figures)
        finally:
            conn.close()
    finally:
        server.cleanup()
        if not args.keep:
            shutil.rmtree(args.pgdata, ignore_errors=True)
            step(f"stopped the cluster and deleted {args.pgdata}")
        else:
            step(f"stopped the cluster; kept {args.pgdata}")
    result["load_average_end"] = load_average()
    if args.json:
        print(json.dumps(result, default=float))
    return result


if __name__ == "__main__":
    main()
