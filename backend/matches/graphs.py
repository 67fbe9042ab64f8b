"""The multilingual channel's HNSW graphs grow denser with their tables.

A region starts with a few thousand postings, where the migrations' graph (m = 16, ef_construction = 64, float32)
is fast and near exact. At a million it finds 0.77 of the true top 10 at ef_search 100 and 0.92 at 400
(docs/scaling.md, "Dense search at 1M"). A graph of m = 32 and ef_construction = 128 over the vectors rounded
to half precision finds 0.965 at ef_search 150 in 13-15 ms, in a third less memory than float32. Built for a
small table it loses the planner to a sequential scan (at 10k postings: 23-26 ms instead of 1-2 ms), so it
replaces the first graph only once the table passes ``dense_graph_from`` postings with a vector.

``densify`` builds it beside the first graph (``CREATE INDEX CONCURRENTLY``: matching goes on meanwhile), then
drops the first. A search asks ``prepare`` which graph is there: the dense one is read through the same
expression it was built on (the column cast to halfvec), with ``hnsw_ef_search_dense``. Only the ordering is
approximated by half precision: every similarity the engine reads is still the float32 one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from pgvector.sqlalchemy import HALFVEC
from sqlalchemy import cast, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from backend.config import get_settings
from matching.channels import MULTILINGUAL

DENSE_M, DENSE_EF_CONSTRUCTION = 32, 128
GRAPH_LOCK = 7_406_013  # advisory lock key: one graph build at a time across workers and commands
PROGRESS_EVERY_S = 2.0  # how often a build with on_progress reports
# Whether a graph is in place: its index exists and is valid (a failed concurrent build leaves an invalid one).
# `{name}` is the bound parameter holding the index name, in the caller's driver style.
IN_PLACE_SQL = "coalesce((SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass({name})), false)"


@dataclass(frozen=True)
class Graph:
    table: str
    column: str
    index: str  # the migrations' graph

    @property
    def dense_index(self) -> str:
        return f"{self.index}_dense"


# The multilingual channel's column of both posting tables (matching.channels.MULTILINGUAL.column). The
# English-only channel's graphs hold a quarter of the rows and keep the migrations' shape.
GRAPHS = tuple(Graph(table, MULTILINGUAL.column, f"ix_{table}_{MULTILINGUAL.column}_hnsw")
               for table in ("capabilities", "needs"))
MANAGED_INDEXES = frozenset(name for g in GRAPHS for name in (g.index, g.dense_index))


def graph_of(table: str, column: str) -> Graph | None:
    return next((g for g in GRAPHS if g.table == table and g.column == column), None)


def dense_expression(column: str, dim: int) -> str:
    """The expression the dense graph is built on, and which a search must order by to read it."""
    return f"{column}::halfvec({dim})"


def dense_ddl(graph: Graph, dim: int) -> str:
    return (f"CREATE INDEX CONCURRENTLY {graph.dense_index} ON {graph.table} "
            f"USING hnsw (({dense_expression(graph.column, dim)}) halfvec_cosine_ops) "
            f"WITH (m = {DENSE_M}, ef_construction = {DENSE_EF_CONSTRUCTION})")


_STATE = text(
    "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), "
    "set_config('hnsw.ef_search', CASE WHEN g.dense THEN :ef ELSE current_setting('hnsw.ef_search') END, true), "
    f"g.dense FROM (SELECT {IN_PLACE_SQL.format(name=':dense_index')} AS dense) g")
_IN_PLACE = text(f"SELECT {IN_PLACE_SQL.format(name=':i')}")


def prepare(session: Session, target: type) -> bool:
    """Set the transaction's HNSW search (filters applied while walking the graph, so a filtered search is
    never short; the dense graph's ef_search); True when the target's multilingual graph is the dense one.
    One round trip."""
    graph = graph_of(target.__tablename__, MULTILINGUAL.column)
    if graph is None:
        session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
        return False
    row = session.execute(_STATE, {"ef": str(get_settings().hnsw_ef_search_dense),
                                   "dense_index": graph.dense_index}).one()
    return bool(row[2])


def ordering(column, qvec):  # noqa: ANN001, ANN201 - a SQL expression
    """The distance the dense graph orders by (the expression it was built on). On the migrations' graph a
    search orders by the float32 distance it also selects, so the server computes it once a row."""
    dim = column.type.dim
    return cast(column, HALFVEC(dim)).cosine_distance(cast(qvec, HALFVEC(dim)))


@dataclass
class GraphState:
    graph: Graph
    rows: int  # postings with a vector
    dense: bool  # the dense graph is in place (valid)
    wanted: bool  # the rule asks for it

    @property
    def shape(self) -> str:
        return (f"halfvec, m={DENSE_M}, ef_construction={DENSE_EF_CONSTRUCTION}" if self.dense
                else "vector, m=16, ef_construction=64")


def states(conn: Connection | Session, threshold: int | None = None) -> list[GraphState]:
    threshold = get_settings().dense_graph_from if threshold is None else threshold
    out = []
    for g in GRAPHS:
        rows = conn.execute(text(f"SELECT count(*) FROM {g.table} WHERE {g.column} IS NOT NULL")).scalar_one()
        dense = conn.execute(_IN_PLACE, {"i": g.dense_index}).scalar_one()
        out.append(GraphState(g, int(rows), bool(dense), rows >= threshold))
    return out


def densify(engine: Engine, *, threshold: int | None = None, build_memory: str | None = None,
            on_progress: Callable[[str, int, int], None] | None = None) -> list[str]:
    """Build the dense graph of every table past the threshold that lacks it, then drop the first graph;
    return the indexes built. Nothing happens below the threshold, nor while another build holds the lock."""
    built: list[str] = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": GRAPH_LOCK}).scalar():
            return built
        try:
            for state in states(conn, threshold):
                if state.wanted and not state.dense:
                    build(conn, state.graph, build_memory=build_memory, on_progress=on_progress)
                    built.append(state.graph.dense_index)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": GRAPH_LOCK})
    return built


def build(conn: Connection, graph: Graph, *, build_memory: str | None = None,
          on_progress: Callable[[str, int, int], None] | None = None) -> None:
    """Build one dense graph concurrently (on an autocommit connection), then drop the first one and prewarm."""
    from backend.base import EMBEDDING_DIM

    memory = build_memory or get_settings().graph_build_memory
    if memory:
        conn.execute(text("SELECT set_config('maintenance_work_mem', :m, false)"), {"m": memory})
    # A build that was cancelled or failed leaves an invalid index behind: start again.
    conn.execute(text(f"DROP INDEX CONCURRENTLY IF EXISTS {graph.dense_index}"))
    watch = _watch(conn, graph, on_progress) if on_progress else None
    try:
        conn.execute(text(dense_ddl(graph, EMBEDDING_DIM)))
    finally:
        if watch:
            watch()
    conn.execute(text(f"DROP INDEX CONCURRENTLY IF EXISTS {graph.index}"))
    if memory:
        conn.execute(text("RESET maintenance_work_mem"))
    _prewarm(conn, graph.dense_index)


def _prewarm(conn: Connection, index: str) -> None:
    """Read the new graph into shared buffers (as much of it as fits) when the server has pg_prewarm: the first
    queries would otherwise each read it from disk. On an autocommit connection a refusal changes nothing."""
    try:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
        conn.execute(text("SELECT pg_prewarm(CAST(:i AS regclass))"), {"i": index})
    except DBAPIError:
        pass


def _watch(conn: Connection, graph: Graph, on_progress: Callable[[str, int, int], None]) -> Callable[[], None]:
    """Report the build's progress from pg_stat_progress_create_index, polled on a second connection."""
    import threading

    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    stop = threading.Event()
    url = conn.engine.url

    def poll() -> None:
        watcher = create_engine(url, poolclass=NullPool)
        try:
            with watcher.connect() as c:
                while not stop.wait(PROGRESS_EVERY_S):
                    row = c.execute(text("SELECT phase, tuples_done, tuples_total FROM pg_stat_progress_create_index "
                                         "WHERE pid = :p"), {"p": pid}).first()
                    c.rollback()
                    if row:
                        on_progress(f"{graph.dense_index}: {row[0]}", int(row[1] or 0), int(row[2] or 0))
        finally:
            watcher.dispose()

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()

    def done() -> None:
        stop.set()
        thread.join(timeout=5)

    return done
