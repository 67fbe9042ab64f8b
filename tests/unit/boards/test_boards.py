"""The public boards and their search (the engine's BM25 and e5 channels), and the landing page."""

from datetime import date

import pytest
from sqlalchemy import select

from backend import search
from backend.accounts.models import Role
from backend.auth import ANONYMOUS, Principal
from backend.boards.pages import figures
from backend.capabilities.models import CapabilityKind, CapabilityStatus
from backend.matches import matching
from backend.matches import service as matches
from backend.needs.models import NeedStatus, Visibility
from backend.organisations.models import OrgKind
from backend.partnerships import service as partnerships
from backend.partnerships.models import PartnershipKind
from backend.projects import service as projects
from backend.regions.models import Region
from tests.common.factories import create_capability, create_need, create_org
from tests.common.portal import create_user, sign_in

HARMONIC_ZH = dict(title="谐波减速器柔性轴承早期疲劳失效",
                   description="机器人关节用谐波减速器的柔性轴承在额定负载下运行两千小时即出现滚道剥落，"
                               "寿命远低于设计要求，需要改进柔轮与波发生器配合及轴承材料热处理。",
                   chain="robots_reducers")
DYEING_ZH = dict(title="印染定型机废气余热回收",
                 description="印染车间定型机排出高温含油废气，热量直接排放浪费严重，希望回收余热并净化油烟。",
                 chain="energy_env_equipment")
HARMONIC_EN = dict(title="Fatigue life of flexible bearings in harmonic drives",
                   description="Our laboratory tests and models the rolling contact fatigue of thin-walled flexible "
                               "bearings used in harmonic drive reducers for robot joints, and improves the "
                               "flexspline and wave generator fit and the heat treatment of the bearing rings.",
                   chain="robots_reducers")
WEAVING_ZH = dict(title="喷气织机引纬节能控制",
                  description="喷气织机主喷嘴与辅助喷嘴的压缩空气消耗优化，降低单位布匹能耗。",
                  chain="textile_machinery")


def _ids(found) -> list[int]:
    return [p.id for p in found.items]


def _as(user) -> Principal:
    return Principal(user_id=user.id, role=user.role, organisation_id=user.organisation_id, email=user.email)


@pytest.fixture
def firm(db_session):
    return create_org(db_session, name="绍兴某轴承有限公司", region="330624")


@pytest.fixture
def lab(db_session):
    return create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="某大学")


def test_a_chinese_query_finds_the_chinese_need_first(db_session, firm):
    harmonic = create_need(db_session, firm, **HARMONIC_ZH)
    dyeing = create_need(db_session, firm, **DYEING_ZH)
    matching.embed_postings(db_session, [harmonic, dyeing])
    found = search.search_needs(db_session, ANONYMOUS, "谐波减速器 柔性轴承")
    assert found.searched and _ids(found)[0] == harmonic.id
    assert dyeing.id not in _ids(found)


def test_a_chinese_query_finds_an_english_capability_by_meaning(db_session, lab):
    foreign = create_org(db_session, kind=OrgKind.FOREIGN_PARTNER, region="DE", name="Technische Hochschule (示例)")
    english = create_capability(db_session, foreign, **HARMONIC_EN)
    weaving = create_capability(db_session, lab, **WEAVING_ZH)
    matching.embed_postings(db_session, [english, weaving])
    found = search.search_capabilities(db_session, ANONYMOUS, "谐波减速器柔性轴承寿命")
    assert _ids(found) and _ids(found)[0] == english.id
    assert weaving.id not in _ids(found)


def test_the_board_page_searches_and_says_when_nothing_is_found(client, db_session, firm):
    harmonic = create_need(db_session, firm, **HARMONIC_ZH)
    matching.embed_postings(db_session, [harmonic])
    page = client.get("/needs", params={"q": "谐波减速器", "lang": "en"})
    assert page.status_code == 200 and HARMONIC_ZH["title"] in page.text
    nothing = client.get("/needs", params={"q": "xyzzy quux", "lang": "en"})
    assert nothing.status_code == 200 and HARMONIC_ZH["title"] not in nothing.text
    assert "Nothing found" in nothing.text


@pytest.mark.parametrize("q", ["轴" * 1000, "a" * 5000, "'; DROP TABLE needs; --", "\x00\x01\u200b", "%%%_\\",
                               "&|!():*<->", "😀🔥", "   "])
def test_odd_or_long_queries_answer_without_error(client, db_session, firm, q):
    create_need(db_session, firm, **HARMONIC_ZH)
    for board in ("/needs", "/capabilities"):
        response = client.get(board, params={"q": q, "trl": "x", "chain": "nope", "region": "'", "kind": "?"})
        assert response.status_code == 200, (board, q)
    # Bytes that are not UTF-8 at all.
    assert client.get("/needs?q=%ED%A0%80%FF%00").status_code == 200


def test_filters_narrow_the_board(db_session, firm, lab):
    other_firm = create_org(db_session, name="诸暨某纺机企业", region="330681")
    bearings = create_need(db_session, firm, title="滚子磨削烧伤", description="圆锥滚子磨削烧伤。", trl_min=3,
                           trl_max=5)
    textile = create_need(db_session, other_firm, title="织机断纬检测", description="剑杆织机断纬检测。",
                          chain="textile_machinery", trl_min=6, trl_max=8)
    english = create_need(db_session, firm, title="Grinding burn on tapered rollers",
                          description="Tapered roller grinding burns the surface.", trl_min=4, trl_max=7)
    every = {bearings.id, textile.id, english.id}
    chain_id = textile.chain_id
    shaoxing = db_session.scalar(select(Region.id).where(Region.code == "330600"))
    zhuji = db_session.scalar(select(Region.id).where(Region.code == "330681"))

    def ids(**f) -> set[int]:
        return set(_ids(search.search_needs(db_session, ANONYMOUS, None, search.BoardFilters(**f)))) & every

    assert ids() == every
    assert ids(chain_id=chain_id) == {textile.id}
    assert ids(trl=7) == {textile.id, english.id}
    assert ids(trl=3) == {bearings.id}
    assert ids(language="en") == {english.id}
    assert ids(region_id=zhuji) == {textile.id}
    assert ids(region_id=shaoxing) == every  # a city holds its districts
    # A need's own region (a plant elsewhere) counts before its firm's.
    bearings.region_id = zhuji
    db_session.flush()
    assert ids(region_id=zhuji) == {bearings.id, textile.id}

    patent = create_capability(db_session, lab, kind="patent", title="滚子磨削专利", trl=6)
    expertise = create_capability(db_session, lab, kind="expertise", title="磨削工艺", trl=3)
    caps = {patent.id, expertise.id}

    def cap_ids(**f) -> set[int]:
        return set(_ids(search.search_capabilities(db_session, ANONYMOUS, None, search.BoardFilters(**f)))) & caps

    assert cap_ids(kind=CapabilityKind.PATENT) == {patent.id}
    assert cap_ids(trl=5) == {patent.id}
    assert cap_ids(region_id=zhuji) == set()


def test_the_filter_form_narrows_the_page_and_pagination_keeps_the_filters(client, db_session, firm):
    for n in range(23):
        create_need(db_session, firm, title=f"轴承需求{n:02d}", description=f"第{n}个轴承问题。")
    create_need(db_session, firm, title="纺机需求", description="纺机问题。", chain="textile_machinery")
    first = client.get("/needs", params={"chain": "bearings", "trl": "", "region": ""})
    assert first.status_code == 200
    assert "纺机需求" not in first.text and first.text.count("轴承需求") == 20
    assert 'href="/needs?chain=bearings&amp;page=2"' in first.text
    second = client.get("/needs?chain=bearings&page=2")
    assert second.text.count("轴承需求") == 3 and "轴承需求00" in second.text
    assert 'name="chain"' in first.text and '<label for="f-chain">' in first.text


def test_search_results_paginate(db_session, firm):
    for n in range(25):
        create_need(db_session, firm, title=f"主轴热变形问题{n:02d}", description="电主轴热变形导致精度漂移。")
    page1 = search.search_needs(db_session, ANONYMOUS, "主轴热变形", limit=20, offset=0)
    page2 = search.search_needs(db_session, ANONYMOUS, "主轴热变形", limit=20, offset=20)
    assert page1.total == page2.total == 25
    assert len(page1.items) == 20 and len(page2.items) == 5
    assert not set(_ids(page1)) & set(_ids(page2))


def test_a_confidential_need_is_never_found_by_its_hidden_words(client, db_session, firm):
    secret = create_need(db_session, firm, title="波发生器凸轮成形磨削精度不足", visibility="confidential",
                         description="波发生器凸轮轮廓成形磨削后误差超差，柔性轴承装配困难。",
                         summary="某精密减速器零件的加工精度问题")
    matching.embed_postings(db_session, [secret])
    reader = create_user(db_session, Role.TECH_TRANSFER_OFFICER)
    for viewer in (ANONYMOUS, _as(reader)):
        assert secret.id not in _ids(search.search_needs(db_session, viewer, "波发生器凸轮成形磨削"))
    sign_in(client, reader)
    found = client.get("/needs", params={"q": "波发生器凸轮"})
    assert "波发生器凸轮轮廓" not in found.text and "某精密减速器零件" not in found.text
    assert f'href="/needs/{secret.id}"' not in found.text
    listed = client.get("/needs")
    assert "某精密减速器零件的加工精度问题" in listed.text and "波发生器" not in listed.text
    # Its own firm finds it by its words.
    owner = create_user(db_session, Role.FIRM_MEMBER, org=firm)
    assert secret.id in _ids(search.search_needs(db_session, _as(owner), "波发生器凸轮成形磨削"))


def test_a_registered_only_need_is_absent_for_an_anonymous_visitor(client, db_session, firm):
    members_only = create_need(db_session, firm, title="注册用户可见的齿轮噪声问题", visibility="registered",
                               description="齿轮箱啸叫噪声超标。")
    assert members_only.id not in _ids(search.search_needs(db_session, ANONYMOUS, None))
    assert members_only.id not in _ids(search.search_needs(db_session, ANONYMOUS, "齿轮噪声"))
    assert "注册用户可见的齿轮噪声问题" not in client.get("/needs").text
    assert "注册用户可见的齿轮噪声问题" not in client.get("/needs", params={"q": "齿轮噪声"}).text
    sign_in(client, create_user(db_session, Role.TECH_TRANSFER_OFFICER))
    assert "注册用户可见的齿轮噪声问题" in client.get("/needs", params={"q": "齿轮噪声"}).text


def test_only_open_needs_and_active_capabilities_are_on_the_boards(db_session, firm, lab):
    closed = create_need(db_session, firm, title="已关闭的需求")
    closed.status = NeedStatus.CLOSED
    retired = create_capability(db_session, lab, title="已下架的能力")
    retired.status = CapabilityStatus.ARCHIVED
    db_session.flush()
    admin = Principal(role=Role.ADMIN)
    assert closed.id not in _ids(search.search_needs(db_session, admin, None))
    assert retired.id not in _ids(search.search_capabilities(db_session, admin, None))


def test_the_landing_page_counts_what_exists(client, db_session, firm, lab):
    visitor = Principal()
    before = figures(db_session, visitor)
    need = create_need(db_session, firm, title="落地页统计需求")
    create_need(db_session, firm, title="仅注册用户可见", visibility=Visibility.REGISTERED)  # not for a visitor
    create_need(db_session, firm, title="另一个需求").status = NeedStatus.CLOSED
    cap = create_capability(db_session, lab)
    create_capability(db_session, lab).status = CapabilityStatus.ARCHIVED
    match = matches.propose(db_session, need.id, cap.id)
    matches.express_interest(db_session, match, "firm")
    matches.express_interest(db_session, match, "university")
    projects.create(db_session, title="联合项目", party_ids=[firm.id, lab.id], region_id=firm.region_id)
    foreign = create_org(db_session, kind=OrgKind.FOREIGN_PARTNER, region="DE", name="Foreign lab")
    partnerships.create(db_session, local_organisation_id=lab.id, foreign_organisation_id=foreign.id,
                        kind=PartnershipKind.JOINT_RD, started_on=date(2026, 1, 5))
    db_session.flush()
    after = figures(db_session, visitor)
    assert {k: after[k] - before[k] for k in after} == {
        "open_needs": 1, "active_capabilities": 1, "accepted_matches": 1, "projects": 1, "partnerships": 1}
    page = client.get("/?lang=en")
    assert page.status_code == 200
    assert "open needs" in page.text and "foreign partnerships" in page.text
    assert "落地页统计需求" in page.text
    for link in ('href="/needs/new"', 'href="/capabilities/new"', 'href="/login"'):
        assert link in page.text


def test_the_landing_page_lists_no_confidential_or_members_only_title_to_a_visitor(client, db_session, firm):
    create_need(db_session, firm, title="保密需求标题", visibility="confidential", summary="保密摘要")
    create_need(db_session, firm, title="注册可见标题", visibility="registered")
    page = client.get("/")
    assert "保密需求标题" not in page.text and "注册可见标题" not in page.text


def test_board_keyword_search_reads_the_engines_fast_index_and_agrees_with_exact_bm25(db_session, firm, monkeypatch):
    from backend.config import get_settings
    from backend.needs.models import Need

    harmonic = create_need(db_session, firm, **HARMONIC_ZH)
    dyeing = create_need(db_session, firm, **DYEING_ZH)
    weaving = create_need(db_session, firm, **WEAVING_ZH)
    db_session.flush()
    conds = [Need.id.in_([harmonic.id, dyeing.id, weaving.id])]
    fast = search._lexical(db_session, Need, conds, "谐波减速器 柔性轴承 寿命")
    monkeypatch.setattr(get_settings(), "lexical_exact", True)
    exact = search._lexical(db_session, Need, conds, "谐波减速器 柔性轴承 寿命")
    assert fast[0] == exact[0] == harmonic.id
    assert set(fast) == set(exact) and dyeing.id not in fast
