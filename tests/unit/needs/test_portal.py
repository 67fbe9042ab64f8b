"""A firm manages its needs in the browser: post, draft, edit, status steps, "My needs"."""

from datetime import timedelta

from sqlalchemy import select

from backend.accounts.models import Role
from backend.ledger.models import CollaborationEvent
from backend.needs import repository, service
from backend.needs.models import Need, NeedStatus, Visibility
from backend.organisations.models import Organisation, OrgKind
from tests.common.factories import create_capability, create_need, create_org
from tests.common.portal import create_user, post_form, sign_in

FORM = {"title": "风电滚子磨削烧伤", "description": "风电滚子磨削后表面烧伤，圆度超差，需要工艺改进。",
        "keywords": "磨削烧伤、圆度, 滚子", "chain": "bearings", "region": "330603", "trl_min": "4", "trl_max": "7",
        "budget_min_cny": "200000", "budget_max_cny": "500000", "visibility": "public", "language": "auto"}


def kinds(session, need_id: int) -> list[str]:  # noqa: ANN001
    return list(session.scalars(select(CollaborationEvent.kind).where(CollaborationEvent.need_id == need_id)
                                .order_by(CollaborationEvent.id)))


def jobs(session, queued_jobs: list) -> list[tuple]:  # noqa: ANN001
    """Jobs the request queued: still waiting for the commit, or already handed to the (fake) broker."""
    return list(session.info.get("pending_jobs", [])) + list(queued_jobs)


def signed_in_firm(client, session, *, verified: bool = True, locale: str = "en"):  # noqa: ANN001, ANN201
    user = create_user(session, Role.FIRM_MEMBER, locale=locale, is_verified=verified)
    sign_in(client, user)
    return user


def need_of(session, response) -> Need:  # noqa: ANN001
    assert response.status_code == 303, response.text[:800]
    need_id = int(response.headers["location"].rsplit("/", 1)[1])
    return session.get(Need, need_id)


def test_posting_through_the_form_publishes_the_need_and_queues_matching(client, db_session, queued_jobs):
    user = signed_in_firm(client, db_session)
    response = post_form(client, "/needs/new", FORM)
    need = need_of(db_session, response)
    assert need.organisation_id == user.organisation_id and need.status == NeedStatus.OPEN
    assert need.keywords == ["磨削烧伤", "圆度", "滚子"] and need.trl_min == 4 and need.language == "zh"
    assert need.region_id is not None and need.summary == ""
    assert kinds(db_session, need.id) == ["need.posted"]
    assert ("matches.match_need", (need.id,)) in jobs(db_session, queued_jobs)
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "Your need is posted" in page.text and "风电滚子磨削烧伤" in page.text


def test_the_form_renders_with_localized_selects_and_the_firms_region(client, db_session):
    signed_in_firm(client, db_session, locale="zh_CN")
    page = client.get("/needs/new")
    assert page.status_code == 200
    assert "轴承" in page.text and "柯桥区" in page.text
    assert '<option value="330602" selected>' in page.text  # the firm's district (create_user puts it there)


def test_a_tampered_organisation_id_is_ignored(client, db_session):
    user = signed_in_firm(client, db_session)
    other = create_org(db_session, name="别家企业")
    need = need_of(db_session, post_form(client, "/needs/new", FORM | {"organisation_id": str(other.id)}))
    assert need.organisation_id == user.organisation_id != other.id


def test_an_unverified_firms_need_is_a_draft_not_matched_and_not_on_the_board(client, db_session, queued_jobs):
    signed_in_firm(client, db_session, verified=False)
    need = need_of(db_session, post_form(client, "/needs/new", FORM | {"title": "未审核企业的草稿需求"}))
    assert need.status == NeedStatus.DRAFT
    assert kinds(db_session, need.id) == ["need.drafted"]
    assert not [j for j in jobs(db_session, queued_jobs) if j[0] == "matches.match_need"]
    mine = client.get("/needs/mine")
    assert "未审核企业的草稿需求" in mine.text and "waits for an administrator" in mine.text
    assert "未审核企业的草稿需求" not in client.get("/needs").text
    assert "未审核企业的草稿需求" not in client.get("/api/v1/needs").text
    client.cookies.clear()
    assert client.get(f"/needs/{need.id}").status_code == 404


def test_publishing_a_draft_is_refused_until_the_organisation_is_verified(client, db_session, queued_jobs):
    user = signed_in_firm(client, db_session, verified=False)
    need = need_of(db_session, post_form(client, "/needs/new", FORM))
    refused = post_form(client, f"/needs/{need.id}/status", {"to": "open"})
    assert refused.status_code == 303
    db_session.refresh(need)
    assert need.status == NeedStatus.DRAFT and kinds(db_session, need.id) == ["need.drafted"]
    assert "waits for an administrator" in client.get(f"/needs/{need.id}").text
    db_session.get(Organisation, user.organisation_id).is_verified = True
    db_session.flush()
    assert post_form(client, f"/needs/{need.id}/status", {"to": "open"}).status_code == 303
    db_session.refresh(need)
    assert need.status == NeedStatus.OPEN and kinds(db_session, need.id) == ["need.drafted", "need.posted"]
    assert ("matches.match_need", (need.id,)) in jobs(db_session, queued_jobs)


def test_the_status_steps_and_a_refused_step(client, db_session):
    signed_in_firm(client, db_session)
    need = need_of(db_session, post_form(client, "/needs/new", FORM))
    page = client.get(f"/needs/{need.id}").text
    assert 'value="in_progress"' in page and 'value="closed"' in page and f"/needs/{need.id}/edit" in page
    for to in ("in_progress", "open", "solved"):
        assert post_form(client, f"/needs/{need.id}/status", {"to": to}).status_code == 303
    db_session.refresh(need)
    assert need.status == NeedStatus.SOLVED
    assert kinds(db_session, need.id) == ["need.posted", "need.in_progress", "need.open", "need.solved"]
    refused = post_form(client, f"/needs/{need.id}/status", {"to": "open"})
    assert refused.status_code == 303
    shown = client.get(f"/needs/{need.id}").text
    assert "cannot become" in shown and "/edit" not in shown
    db_session.refresh(need)
    assert need.status == NeedStatus.SOLVED and len(kinds(db_session, need.id)) == 4
    assert "Choose one of the offered options" in client.get(
        post_form(client, f"/needs/{need.id}/status", {"to": "bogus"}).headers["location"]).text


def test_closing_takes_the_need_off_the_board(client, db_session):
    signed_in_firm(client, db_session)
    need = need_of(db_session, post_form(client, "/needs/new", FORM | {"title": "将要关闭的需求"}))
    assert "将要关闭的需求" in client.get("/needs").text
    post_form(client, f"/needs/{need.id}/status", {"to": "closed"})
    assert "将要关闭的需求" not in client.get("/needs").text
    assert kinds(db_session, need.id)[-1] == "need.closed"


def test_validation_errors_are_shown_next_to_their_fields(client, db_session):
    signed_in_firm(client, db_session)
    past = (repository.today() - timedelta(days=1)).isoformat()
    response = post_form(client, "/needs/new", FORM | {"title": " ", "trl_min": "8", "trl_max": "3",
                                                      "budget_max_cny": "100", "visibility": "confidential",
                                                      "summary": "", "deadline": past})
    assert response.status_code == 422
    html = response.text
    assert 'id="f-title-error">This field is required.' in html
    assert 'id="f-trl_max-error">The highest TRL must not be below the lowest.' in html
    assert 'id="f-budget_max_cny-error">The highest budget must not be below the lowest.' in html
    assert 'id="f-summary-error">A confidential need shows only this summary' in html
    assert db_session.scalar(select(Need.id).where(Need.description == FORM["description"])) is None
    in_the_past = post_form(client, "/needs/new", FORM | {"deadline": past})
    assert in_the_past.status_code == 422
    assert 'id="f-deadline-error">The deadline must not lie in the past.' in in_the_past.text


def test_a_confidential_need_keeps_its_own_summary_never_the_title(client, db_session):
    signed_in_firm(client, db_session)
    need = need_of(db_session, post_form(client, "/needs/new", FORM | {"visibility": "confidential",
                                                                       "summary": "一项轴承工艺需求"}))
    assert need.visibility == Visibility.CONFIDENTIAL and need.summary == "一项轴承工艺需求"


def test_editing_saves_reindexes_and_matches_again(client, db_session, queued_jobs):
    signed_in_firm(client, db_session)
    need = need_of(db_session, post_form(client, "/needs/new", FORM))
    form = client.get(f"/needs/{need.id}/edit")
    assert form.status_code == 200 and "风电滚子磨削烧伤" in form.text and "磨削烧伤、圆度、滚子" in form.text
    db_session.info["pending_jobs"] = []
    queued_jobs.clear()
    changed = post_form(client, f"/needs/{need.id}/edit", FORM | {"title": "Roller grinding burns",
                                                                  "description": "Burns after grinding rollers.",
                                                                  "keywords": "", "language": "zh"})
    assert changed.status_code == 303 and changed.headers["location"] == f"/needs/{need.id}"
    db_session.refresh(need)
    assert need.title == "Roller grinding burns" and need.keywords == []
    assert need.language == "zh" and need.language_chosen == "zh"  # the author's choice beats detection
    assert kinds(db_session, need.id) == ["need.posted", "need.edited"]
    assert jobs(db_session, queued_jobs) == [("matches.match_need", (need.id,))]


def test_another_firm_cannot_edit_or_step_a_need_it_does_not_own(client, db_session):
    need = create_need(db_session, title="别人的需求")
    signed_in_firm(client, db_session)
    assert client.get(f"/needs/{need.id}").status_code == 200  # a public need is visible to all
    assert client.get(f"/needs/{need.id}/edit").status_code == 404
    assert post_form(client, f"/needs/{need.id}/edit", FORM).status_code == 404
    assert post_form(client, f"/needs/{need.id}/status", {"to": "closed"}).status_code == 404
    db_session.refresh(need)
    assert need.title == "别人的需求" and need.status == NeedStatus.OPEN
    assert "/edit" not in client.get(f"/needs/{need.id}").text


def test_a_post_without_csrf_token_is_refused(client, db_session):
    signed_in_firm(client, db_session)
    response = client.post("/needs/new", data=FORM, follow_redirects=False)
    assert response.status_code == 403


def test_my_needs_lists_every_status_with_matches_and_the_newest_response(client, db_session):
    from backend.matches import service as matches

    user = signed_in_firm(client, db_session)
    firm = db_session.get(Organisation, user.organisation_id)
    open_need = create_need(db_session, firm, title="开放的需求")
    closed = create_need(db_session, firm, title="已关闭的需求")
    service.transition(db_session, closed, NeedStatus.CLOSED)
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="稽山大学")
    cap = create_capability(db_session, lab)
    match = matches.propose(db_session, open_need.id, cap.id, fused_score=0.5)
    matches.express_interest(db_session, match, "university")
    create_need(db_session, title="别家的需求")
    page = client.get("/needs/mine")
    assert page.status_code == 200
    assert "开放的需求" in page.text and "已关闭的需求" in page.text and "别家的需求" not in page.text
    assert "稽山大学 is interested" in page.text and f"/matches/{match.id}" in page.text
    assert 'href="/needs/new"' in page.text


def test_the_firm_members_home_is_my_needs(client, db_session):
    signed_in_firm(client, db_session)
    home = client.get("/me", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/needs/mine"


def test_other_roles_cannot_reach_the_firm_pages_and_a_firm_member_not_theirs(client, db_session):
    sign_in(client, create_user(db_session, Role.TECH_TRANSFER_OFFICER))
    assert client.get("/needs/mine").status_code == 403
    assert client.get("/needs/new").status_code == 403
    assert post_form(client, "/needs/new", FORM).status_code == 403
    client.cookies.clear()
    signed_in_firm(client, db_session)
    assert client.get("/admin").status_code == 403
    client.cookies.clear()
    assert client.get("/needs/mine", follow_redirects=False).status_code == 303


def test_a_need_past_its_deadline_tells_its_firm_to_extend_or_close_it(client, db_session):
    signed_in_firm(client, db_session)
    need = need_of(db_session, post_form(client, "/needs/new", FORM | {"title": "过期的需求"}))
    need.deadline = repository.today() - timedelta(days=2)
    db_session.flush()
    page = client.get(f"/needs/{need.id}").text
    assert "The deadline has passed" in page
    assert "Deadline passed: extend it or close the need." in client.get("/needs/mine").text
    assert "过期的需求" not in client.get("/api/v1/needs").text
    later = (repository.today() + timedelta(days=30)).isoformat()
    extended = post_form(client, f"/needs/{need.id}/edit", FORM | {"title": "过期的需求", "deadline": later})
    assert extended.status_code == 303
    assert "过期的需求" in client.get("/api/v1/needs").text
