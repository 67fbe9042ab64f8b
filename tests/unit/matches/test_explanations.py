"""What a match stores to explain itself: codes and numbers, true shared terms, nothing the redaction misses."""

import json

import pytest
from sqlalchemy import select, text

from backend.matches import matching
from backend.matches.models import Match
from backend.organisations.models import Organisation, OrgKind
from backend.postings import text_of
from matching import calibration, explain
from matching import terms as term_lists
from tests.common.factories import create_capability, create_need, create_org

NEED_TEXT = ("我公司采用进口设备生产风电滚子，磨削后出现表面烧伤，圆度超差，设备每天运行20小时，"
             "希望联合高校完成在线检测方法的开发。")


def _world(s):
    firm = create_org(s, name="示例滚子有限公司")
    lab = create_org(s, kind=OrgKind.UNIVERSITY, region="330100", name="示例工业大学")
    fit = create_capability(s, lab, title="风电滚子磨削烧伤在线检测",
                            description="课题组采用巴克豪森噪声完成了风电滚子磨削烧伤在线检测，设备连续运行500小时，"
                                        "与多家企业联合开发圆度误差控制工艺。")
    other = create_capability(s, lab, title="永磁同步电机高温退磁",
                              description="研究电机在高温下的退磁机理与转子冷却。")
    need = create_need(s, firm, title="风电滚子磨削烧伤与圆度超差", description=NEED_TEXT)
    matching.embed_postings(s, [need, fit, other])
    return need, fit


def test_a_stored_explanation_holds_codes_numbers_and_at_most_five_true_terms(db_session):
    need, fit = _world(db_session)
    matching.match_need(db_session, need.id)
    match = db_session.scalars(select(Match).where(Match.need_id == need.id, Match.capability_id == fit.id)).one()
    stored = match.explanation
    json.dumps(stored)
    assert set(stored) == {"shared_terms", "similarity", "score", "score_band", "chain_agrees", "cross_language"}
    assert isinstance(stored["similarity"], float) and 0 < stored["score"] < 1
    # the words come from the calibrated score (a code the pages translate), no internal channel ranks
    assert stored["score_band"] == calibration.band(stored["score"])
    assert stored["score"] == pytest.approx(match.fused_score, abs=1e-4)
    shared = stored["shared_terms"]
    assert 0 < len(shared) <= explain.MAX_TERMS
    assert not {t.casefold() for t in shared} & term_lists.common_words()
    assert not {"采用", "设备", "小时", "运行", "联合", "完成"} & set(shared)
    assert shared[0] in ("风电滚子", "磨削烧伤", "在线检测")  # a domain term leads


def test_the_redaction_keeps_nothing_that_quotes_the_need(db_session):
    need, fit = _world(db_session)
    matching.match_need(db_session, need.id)
    match = db_session.scalars(select(Match).where(Match.need_id == need.id, Match.capability_id == fit.id)).one()
    hidden = explain.Explanation.read(match.explanation).redacted().stored()
    assert hidden["shared_terms"] == [] and match.explanation["shared_terms"]
    strings = [v for v in hidden.values() if isinstance(v, str)]
    assert all(v in ("likely", "possible", "worth_a_look", "weak") for v in strings) and strings
    # an older explanation with sentences (the sample history's) loses them when read
    old = {**match.explanation, "summary": "Shares the key terms 风电滚子", "summary_zh": "共同关键词：风电滚子"}
    assert not {"summary", "summary_zh"} & set(explain.Explanation.read(old).redacted().stored())


def test_the_explanation_is_one_schema_that_refuses_sentences_when_written(db_session):
    with pytest.raises(ValueError):
        explain.Explanation.model_validate({"shared_terms": ["风电"], "summary": "Shares the key terms 风电"})
    with pytest.raises(ValueError):
        explain.Explanation(score_band="very likely indeed")
    with pytest.raises(ValueError):
        explain.Explanation(shared_terms=["a", "b", "c", "d", "e", "f"])  # at most five
    need, fit = _world(db_session)
    from backend.matches import service as match_service

    with pytest.raises(ValueError):
        match_service.propose(db_session, need.id, fit.id, explanation={"summary": "a sentence"})
    # a row from before keeps what still fits and drops the rest, so a page never fails on it
    read = explain.Explanation.read({"score": 0.7, "score_band": "likely", "similarity_label": "no such label",
                                     "shared_terms": "not a list", "legacy": 1})
    assert read == explain.Explanation(score=0.7, score_band="likely")


def test_document_frequencies_from_the_lexical_index_set_off_the_idf_floor(db_session):
    need, fit = _world(db_session)
    documents = 60
    org = db_session.get(Organisation, fit.organisation_id)
    for n in range(documents - 2):  # 风电滚子 in every posting, 圆度 in none of these
        create_capability(db_session, org, title=f"风电滚子装配试验{n}", description="风电滚子的装配与润滑研究。")
    db_session.flush()

    def frequency(term: str) -> int | None:
        tsq = explain.term_tsquery(term)
        if tsq is None:
            return None
        return db_session.scalar(text(explain.frequency_sql("capabilities")),
                                 {"tsq": tsq, "cap": explain.frequency_cap(documents)})

    assert frequency("风电滚子") == explain.frequency_cap(documents)  # counted no further than needed
    assert frequency("圆度") == 1
    found = explain.shared_terms(text_of(need), text_of(fit), document_frequency=frequency, documents=documents)
    plain = explain.shared_terms(text_of(need), text_of(fit))
    assert "风电滚子" in plain and "风电滚子" not in found  # held by nearly every posting
    assert {"在线检测", "圆度"} <= set(found) and len(found) <= explain.MAX_TERMS
    # the matching service counts the same frequencies for what it stores
    matching.match_need(db_session, need.id)
    match = db_session.scalars(select(Match).where(Match.need_id == need.id, Match.capability_id == fit.id)).one()
    assert match.explanation["shared_terms"] == found
