"""The portal as people use it, in a real browser: a firm from registration to a ticked-off milestone, the
language switch, and a confidential need before and after the non-disclosure statement.

Every step saves a screenshot under test-output/screenshots/journey/."""

import re

from sqlalchemy import select

from backend.accounts import service as accounts
from backend.accounts.models import Role, User
from backend.db import session_scope
from backend.ledger.models import CollaborationEvent
from backend.matches import matching
from backend.matches import service as match_service
from backend.matches.models import Match, MatchStatus
from backend.needs.models import Need, Visibility
from backend.organisations.models import OrgKind
from backend.projects.models import JointProject
from tests.common.factories import create_capability, create_need, create_org
from tests.unit.pages.conftest import SHOTS

PASSWORD = "journey-passphrase-2026"
ENGLISH_CAPABILITY = "Grinding burn detection for wind-turbine bearing rollers"


def _shot(page, name: str) -> None:  # noqa: ANN001
    folder = SHOTS / "journey"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _sign_in(page, base: str, email: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")


def _user(session, role: Role, org=None, email: str | None = None) -> User:  # noqa: ANN001
    return accounts.create_user(session, email=email or f"{role.value}@journey.example.cn", password=PASSWORD,
                                role=role, organisation_id=org.id if org is not None else None)


def test_a_firm_goes_from_registration_to_a_ticked_off_milestone(browser, served):
    with session_scope() as s:
        _user(s, Role.ADMIN)
        tu = create_org(s, kind=OrgKind.FOREIGN_PARTNER, region="DE", name="Sample Technical University",
                        name_en="Sample Technical University")
        _user(s, Role.TECH_TRANSFER_OFFICER, tu, "tto@tu.example.de")
        english = create_capability(
            s, tu, title=ENGLISH_CAPABILITY, language="en",
            description="We detect grinding burn on wind-turbine bearing rollers with Barkhausen noise and keep "
                        "roundness within tolerance after precision grinding.")
        chinese = create_capability(s, title="轴承滚子磨削烧伤在线检测",
                                    description="滚子精密磨削烧伤的在线检测与工艺优化。")
        matching.embed_postings(s, [english, chinese])

    firm = browser.new_context(locale="zh-CN")
    page = firm.new_page()
    # 1. A firm registers; an admin verifies it.
    page.goto(f"{served}/register")
    page.fill("#f-full_name", "王工")
    page.fill("#f-email", "wang@journey-firm.example.cn")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_again", PASSWORD)
    page.select_option("#f-org_kind", "firm")
    page.fill("#f-org_name", "新昌旅程轴承有限公司")
    page.select_option("#f-region", "330624")
    page.check("input[name=chains][value=bearings]")
    _shot(page, "01-register")
    page.click("form[action='/register'] button[type=submit]")
    assert page.url.endswith("/needs/mine")
    _shot(page, "02-registered-waiting")

    admin = browser.new_context(locale="zh-CN")
    admin_page = admin.new_page()
    _sign_in(admin_page, served, "admin@journey.example.cn")
    assert admin_page.url.endswith("/admin")
    card = admin_page.locator("section.card", has_text="新昌旅程轴承有限公司")
    card.locator("form[action$='/verify'] button").click()
    _shot(admin_page, "03-admin-verified")
    assert admin_page.locator("section.card", has_text="新昌旅程轴承有限公司").count() == 0

    # 2. It posts a Chinese need.
    page.goto(f"{served}/needs/new")
    page.fill("#f-title", "风电轴承滚子磨削烧伤")
    page.fill("#f-description", "风电轴承滚子精密磨削后表面出现烧伤，圆度超差，需要在线检测烧伤并优化磨削工艺。")
    page.select_option("#f-chain", "bearings")
    _shot(page, "04-need-form")
    page.click("form.stacked button[type=submit]")
    assert re.search(r"/needs/\d+$", page.url), page.url
    need_id = int(page.url.rsplit("/", 1)[1])
    _shot(page, "05-need-posted-matching")

    # 3. The worker's task matches it; the firm sees an English capability of a foreign university.
    from workers.tasks import match_need

    match_need.apply(args=[need_id]).get()
    page.reload()
    card = page.locator(".match", has_text=ENGLISH_CAPABILITY)
    assert card.count() == 1
    assert "Sample Technical University" in card.inner_text()
    _shot(page, "06-matches")

    # 4. It expresses interest.
    card.locator("form[action$='/interest'] button").click()
    with session_scope() as s:
        match = s.scalars(select(Match).where(Match.need_id == need_id, Match.capability_id == english.id)).one()
        assert match.status == MatchStatus.FIRM_INTERESTED
    _shot(page, "07-interested")

    # 5. The officer signs in, finds the need in the inbox and responds.
    tto = browser.new_context(locale="en-GB")  # the German university's officer reads English
    tto_page = tto.new_page()
    _sign_in(tto_page, served, "tto@tu.example.de")
    assert tto_page.url.endswith("/inbox")
    row = tto_page.locator("tr", has_text="风电轴承滚子磨削烧伤")
    _shot(tto_page, "08-inbox")
    row.locator(f"a[href='/matches/{match.id}']").click()
    tto_page.fill("#f-proposal", "We can measure grinding burn on your rollers with Barkhausen noise within two weeks.")
    tto_page.click("form[action$='/interest'] button[type=submit]")
    _shot(tto_page, "09-responded-accepted")

    # 6. The firm sees the acceptance, starts a project, adds a milestone and ticks it off.
    page.goto(f"{served}/matches/{match.id}")
    assert "Barkhausen" in page.inner_text("body")
    page.fill("form[action$='/project'] #f-title", "风电滚子磨削烧伤在线检测联合项目")
    page.click("form[action$='/project'] button[type=submit]")
    assert re.search(r"/projects/\d+$", page.url), page.url
    _shot(page, "10-project")
    page.fill("form[action$='/milestones'] #f-title", "完成烧伤检测样机")
    page.click("form[action$='/milestones'] button[type=submit]")
    page.locator("tr.milestone", has_text="完成烧伤检测样机").locator("button").click()
    assert page.locator("tr.milestone.done", has_text="完成烧伤检测样机").count() == 1
    _shot(page, "11-milestone-done")

    # 7. The ledger holds each step's event.
    with session_scope() as s:
        project = s.scalars(select(JointProject).where(JointProject.match_id == match.id)).one()
        firm_org = s.scalars(select(Need.organisation_id).where(Need.id == need_id)).one()
        kinds = set(s.scalars(select(CollaborationEvent.kind).where(
            (CollaborationEvent.need_id == need_id) | (CollaborationEvent.project_id == project.id)
            | CollaborationEvent.organisation_ids.any(firm_org))))
    assert {"organisation.verified", "need.posted", "match.proposed", "match.firm_interested",
            "match.accepted", "project.created", "project.milestone_added",
            "project.milestone_done"} <= kinds, kinds
    for context in (firm, admin, tto):
        context.close()


def test_the_language_switch_is_remembered(browser, served):
    context = browser.new_context(locale="zh-CN")  # the browser asks for Chinese (Accept-Language)
    page = context.new_page()
    page.goto(f"{served}/needs")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "企业需求" in page.inner_text("h1")
    page.click(".langs a[hreflang=en]")
    assert "Needs" in page.inner_text("h1")
    _shot(page, "20-english")
    page.click("header.site a[href='/capabilities']")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click(".langs a[hreflang=zh-CN]")
    assert "科研能力" in page.inner_text("h1")
    context.close()


def test_a_confidential_need_before_and_after_the_nda(browser, served):
    secret = "波发生器凸轮在两千小时后出现微裂纹"
    with session_scope() as s:
        lab = create_org(s, kind=OrgKind.UNIVERSITY, region="330100", name="保密测试大学")
        officer = _user(s, Role.TECH_TRANSFER_OFFICER, lab, "nda@lab.example.cn")
        cap = create_capability(s, lab, title="谐波减速器波发生器疲劳寿命",
                                description="波发生器凸轮疲劳寿命试验与微裂纹检测。")
        need = create_need(s, title="谐波减速器波发生器早期失效", description=secret,
                           visibility=Visibility.CONFIDENTIAL, summary="一家减速器企业寻求疲劳可靠性合作")
        matching.embed_postings(s, [cap, need])
    with session_scope() as s:
        matching.match_need(s, need.id)
    with session_scope() as s:
        match = s.scalars(select(Match).where(Match.need_id == need.id, Match.capability_id == cap.id)).one()
        match_service.express_interest(s, match, "firm")
        match_service.express_interest(s, match, "university")
        match_id = match.id
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    _sign_in(page, served, officer.email)
    page.goto(f"{served}/matches/{match_id}")
    body = page.inner_text("body")
    assert secret not in body and "谐波减速器波发生器早期失效" not in body
    assert "一家减速器企业寻求疲劳可靠性合作" in body
    _shot(page, "30-confidential-before-nda")
    page.check("form[action$='/nda'] input[type=checkbox]")
    page.click("form[action$='/nda'] button[type=submit]")
    assert secret in page.inner_text("body")
    _shot(page, "31-confidential-after-nda")
    page.goto(f"{served}/needs/{need.id}")
    assert secret in page.inner_text("body")
    context.close()
