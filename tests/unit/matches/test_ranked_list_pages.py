"""A posting's page lists its best ten matches by calibrated score and offers the rest; readers outside the
need see only what they may."""

from backend.matches import service as matches
from backend.needs.models import Visibility
from backend.organisations.models import OrgKind
from matching import calibration
from tests.common.factories import create_capability, create_need, create_org


def test_the_best_ten_then_show_all_in_score_order(client, db_session):
    s = db_session
    firm = create_org(s)
    lab = create_org(s, kind=OrgKind.UNIVERSITY, region="330100")
    need = create_need(s, firm, title="风电滚子磨削烧伤", visibility=Visibility.PUBLIC)
    for n in range(12):  # scores 0.05, 0.10, ... 0.60, proposed in no particular order
        cap = create_capability(s, lab, title=f"能力{n:02d}")
        score = round(0.05 * ((n * 5) % 12 + 1), 2)
        matches.propose(s, need.id, cap.id, fused_score=score,
                        explanation={"shared_terms": [], "score": score, "score_band": calibration.band(score)})
    s.commit()
    page = client.get(f"/needs/{need.id}?lang=en")
    assert page.text.count('class="card match"') == 10 and "Show all 12 matches" in page.text
    assert 'href="?all=1#matches"' in page.text
    everything = client.get(f"/needs/{need.id}?all=1&lang=en")
    assert everything.text.count('class="card match"') == 12 and "Show all" not in everything.text
    # best first: the percent of each card falls down the page
    shown = [int(p.split("%", 1)[0]) for p in everything.text.split("estimated ")[1:]]
    assert len(shown) == 12 and shown == sorted(shown, reverse=True) and shown[0] == 60
    assert client.get(f"/needs/{need.id}?all=perhaps").status_code == 422


def test_a_signed_out_reader_sees_no_match_of_a_confidential_need(client, db_session):
    s = db_session
    firm = create_org(s)
    lab = create_org(s, kind=OrgKind.UNIVERSITY, region="330100")
    need = create_need(s, firm, title="机密的磨削需求", visibility=Visibility.CONFIDENTIAL,
                       summary="一项轴承磨削需求")
    cap = create_capability(s, lab, title="精密磨削")
    matches.propose(s, need.id, cap.id, fused_score=0.7,
                    explanation={"shared_terms": ["磨削"], "score": 0.7, "score_band": "likely"})
    s.commit()
    page = client.get(f"/needs/{need.id}?all=1&lang=en")
    assert "机密的磨削需求" not in page.text and 'class="card match"' not in page.text
    # nor on the capability's page: a signed-out reader does not learn the need exists
    listed = client.get(f"/capabilities/{cap.id}?lang=en")
    assert listed.status_code == 200 and "No matches yet" in listed.text
    assert "机密的磨削需求" not in listed.text and "一项轴承磨削需求" not in listed.text
