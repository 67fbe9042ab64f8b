"""The officer's inbox of matched needs, as a page and as JSON: filters, order, pages, and confidentiality."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from backend.accounts import service as accounts
from backend.accounts.models import Role
from backend.matches import service as matches
from backend.matches.models import DeclineReason, MatchStatus
from backend.needs.models import NeedStatus, Visibility
from backend.organisations.models import Organisation
from backend.regions.models import Region
from tests.common.factories import create_capability, create_need, create_org
from tests.common.portal import create_user, sign_in

SECRET_TITLE = "谐波减速器柔性轴承早期失效"
SECRET_TEXT = "波发生器椭圆度导致薄壁柔性轴承在八百小时内疲劳剥落。"
SUMMARY = "一项机器人关节部件的可靠性需求"


class Inbox:
    """An officer's university with two capabilities, and needs of three firms matched to them."""

    def __init__(self, session):  # noqa: ANN001
        now = datetime.now(UTC)
        self.officer = create_user(session, Role.TECH_TRANSFER_OFFICER)
        lab = session.get(Organisation, self.officer.organisation_id)
        self.grinding = create_capability(session, lab, title="精密磨削工艺")
        self.testing = create_capability(session, lab, title="Bearing fatigue testing", description="Life tests.",
                                         chain="robots_reducers")
        yuecheng = create_org(session, region="330602", name="越城轴承厂")
        xinchang = create_org(session, region="330624", name="新昌精工")
        discreet = create_org(session, region="330602", name="保密企业甲")
        self.public = create_need(session, xinchang, title="风电滚子磨削烧伤")
        self.secret = create_need(session, discreet, title=SECRET_TITLE, description=SECRET_TEXT, summary=SUMMARY,
                                  visibility=Visibility.CONFIDENTIAL, chain="robots_reducers")
        self.english = create_need(session, yuecheng, title="Spindle thermal drift", chain="cnc_machine_tools",
                                   description="Thermal drift of the spindle of a five-axis machine.")
        self.closed = create_need(session, xinchang, title="已经谢绝的需求")
        self.draft = create_need(session, xinchang, title="草稿需求不可见")
        self.draft.status = NeedStatus.DRAFT
        # A need of a Yuecheng firm whose problem is in Xinchang: it counts there.
        self.elsewhere = create_need(session, yuecheng, title="新昌工厂的主轴问题")
        self.elsewhere.region_id = session.query(Region.id).filter(Region.code == "330624").scalar()
        other_lab = create_capability(session, title="别家大学的能力")

        def propose(need, cap, score, days_ago, terms=()):  # noqa: ANN001, ANN202
            return matches.propose(session, need.id, cap.id, fused_score=score, at=now - timedelta(days=days_ago),
                                   explanation={"shared_terms": list(terms), "similarity_label": "close"})

        self.m_public = propose(self.public, self.grinding, 0.91, 3)
        self.m_secret = propose(self.secret, self.testing, 0.52, 0, terms=["柔性轴承", "波发生器"])
        self.m_english = propose(self.english, self.testing, 0.73, 10)
        self.m_closed = propose(self.closed, self.grinding, 0.80, 1)
        matches.transition(session, self.m_closed, MatchStatus.DECLINED, reason=DeclineReason.OUT_OF_SCOPE)
        self.m_draft = propose(self.draft, self.grinding, 0.99, 1)
        self.m_elsewhere = propose(self.elsewhere, self.grinding, 0.60, 5)
        self.m_other = propose(self.public, other_lab, 0.95, 1)
        session.flush()


@pytest.fixture
def box(db_session) -> Inbox:  # noqa: ANN001
    return Inbox(db_session)


def match_ids(html: str, box: Inbox) -> list[int]:
    """The matches listed on an inbox page, in order."""
    found = []
    for name in ("m_public", "m_secret", "m_english", "m_closed", "m_draft", "m_elsewhere", "m_other"):
        m = getattr(box, name)
        at = html.find(f'href="/matches/{m.id}"')
        if at >= 0:
            found.append((at, m.id))
    return [mid for _at, mid in sorted(found)]


def test_the_inbox_lists_the_open_matches_of_our_capabilities_best_first(client, box):
    sign_in(client, box.officer)
    page = client.get("/inbox")
    assert page.status_code == 200
    assert match_ids(page.text, box) == [box.m_public.id, box.m_english.id, box.m_elsewhere.id, box.m_secret.id]
    assert "精密磨削工艺" in page.text and "Bearing fatigue testing" in page.text
    assert "草稿需求不可见" not in page.text and "别家大学的能力" not in page.text
    assert client.get("/me", follow_redirects=False).headers["location"] == "/inbox"


def test_a_confidential_need_shows_its_summary_only(client, box):
    sign_in(client, box.officer)
    page = client.get("/inbox").text
    assert SUMMARY in page
    for hidden in (SECRET_TITLE, SECRET_TEXT, "波发生器", "保密企业甲"):
        assert hidden not in page


@pytest.mark.parametrize(("query", "expected"), [
    ("min_score=0.7", ["m_public", "m_english"]),
    ("sort=newest", ["m_secret", "m_public", "m_elsewhere", "m_english"]),
    ("chain=robots_reducers", ["m_secret"]),
    ("district=330624", ["m_public", "m_elsewhere"]),
    ("district=330602", ["m_english", "m_secret"]),
    ("district=330600", ["m_public", "m_english", "m_elsewhere", "m_secret"]),
    ("language=en", ["m_english"]),
    ("show_closed=1", ["m_public", "m_closed", "m_english", "m_elsewhere", "m_secret"]),
    ("min_score=0.5&sort=newest&language=zh", ["m_secret", "m_public", "m_elsewhere"]),
])
def test_filters_and_order(client, box, query, expected):
    sign_in(client, box.officer)
    page = client.get(f"/inbox?{query}")
    assert page.status_code == 200
    assert match_ids(page.text, box) == [getattr(box, name).id for name in expected]


def test_proposed_since_a_day(client, box):
    sign_in(client, box.officer)
    from backend.capabilities.repository import LOCAL_TIME

    # a day in Shaoxing, as the filter reads it (from 16:00 UTC on, Shaoxing is a day ahead of UTC)
    since = (datetime.now(LOCAL_TIME) - timedelta(days=4)).date().isoformat()
    assert match_ids(client.get(f"/inbox?since={since}").text, box) == [box.m_public.id, box.m_secret.id]


@pytest.mark.parametrize("query", ["min_score=abc", "min_score=7", "since=yesterday", "chain=nope",
                                   "district=DE", "sort=random", "language=fr"])
def test_a_bad_filter_gives_a_message_not_a_500(client, box, query):
    sign_in(client, box.officer)
    page = client.get(f"/inbox?{query}&lang=en")
    field = query.split("=")[0]
    assert page.status_code == 422 and f'id="f-{field}-error"' in page.text
    assert len(match_ids(page.text, box)) == 4  # the other filters still apply


def test_bad_page_numbers_are_refused_cleanly(client, box):
    sign_in(client, box.officer)
    for page in ("0", "-1", "99999999999999999999"):
        assert client.get(f"/inbox?page={page}").status_code == 422


def test_twenty_per_page(client, db_session, box):
    firm = create_org(db_session, region="330603")
    for n in range(20):
        need = create_need(db_session, firm, title=f"批量需求{n}")
        matches.propose(db_session, need.id, box.grinding.id, fused_score=0.3, at=datetime.now(UTC))
    sign_in(client, box.officer)
    first = client.get("/inbox")
    assert len(re.findall(r'href="/matches/\d', first.text)) == 20 and "page=2" in first.text
    second = client.get("/inbox?page=2&sort=score")
    assert len(re.findall(r'href="/matches/\d', second.text)) == 4 and "page=1" in second.text


def token_for(session, user) -> dict:  # noqa: ANN001
    _row, raw = accounts.create_token(session, user, "university system")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_inbox_follows_the_same_rules(client, db_session, box):
    headers = token_for(db_session, box.officer)
    response = client.get("/api/v1/inbox", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 4 and [i["id"] for i in body["items"]] == [
        box.m_public.id, box.m_english.id, box.m_elsewhere.id, box.m_secret.id]
    secret = body["items"][-1]
    assert secret["need"]["title"] is None and secret["need"]["summary"] == SUMMARY
    assert secret["need"]["confidential"] and secret["explanation"]["shared_terms"] == []
    assert secret["capability"]["title"] == "Bearing fatigue testing" and secret["url"] == f"/matches/{box.m_secret.id}"
    for hidden in (SECRET_TITLE, SECRET_TEXT, "波发生器", "保密企业甲"):
        assert hidden not in response.text

    paged = client.get("/api/v1/inbox?limit=2&offset=1", headers=headers).json()
    assert paged["total"] == 4 and [i["id"] for i in paged["items"]] == [box.m_english.id, box.m_elsewhere.id]
    scored = client.get("/api/v1/inbox?min_score=0.7&chain=bearings", headers=headers).json()
    assert [i["id"] for i in scored["items"]] == [box.m_public.id]


def test_the_api_inbox_names_the_bad_field(client, db_session, box):
    headers = token_for(db_session, box.officer)
    unknown = client.get("/api/v1/inbox?chain=nope", headers=headers)
    assert unknown.status_code == 422 and unknown.json()["field"] == "chain"
    bad = client.get("/api/v1/inbox?min_score=2", headers=headers)
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "min_score"
    huge = client.get("/api/v1/inbox?offset=99999999999999999999", headers=headers)
    assert huge.status_code == 422


def test_the_api_inbox_is_for_officers(client, db_session, box):
    assert client.get("/api/v1/inbox").status_code == 401
    firm_member = create_user(db_session, Role.FIRM_MEMBER)
    assert client.get("/api/v1/inbox", headers=token_for(db_session, firm_member)).status_code == 403
    other = create_user(db_session, Role.TECH_TRANSFER_OFFICER)
    assert client.get("/api/v1/inbox", headers=token_for(db_session, other)).json()["total"] == 0

