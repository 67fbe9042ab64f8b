"""`matchmaker demo check`'s figures, on a small hand-made sample where the answers are known."""

from backend.demo import check
from backend.matches import service as matches
from backend.needs import service as needs
from backend.needs.schemas import NeedIn
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_org


def test_the_figures_count_hubs_chains_languages_and_list_lengths(db_session):
    s = db_session
    firm = create_org(s)
    lab = create_org(s, kind=OrgKind.UNIVERSITY, region="330100")
    hub = create_capability(s, lab, title="风电滚子磨削", chain="bearings")
    english = create_capability(s, lab, title="Motor iron loss", description="We cut motor iron losses.",
                                chain="smart_motors")
    sample = [needs.create(s, NeedIn(organisation_id=firm.id, title=f"需求{n}", description="滚子磨削烧伤。",
                                     chain="bearings"), is_sample=True) for n in range(4)]
    needs.create(s, NeedIn(organisation_id=firm.id, title="不是示例", description="滚子磨削。"))  # not counted
    for n, need in enumerate(sample):
        top = hub if n < 3 else english
        matches.propose(s, need.id, top.id, fused_score=0.9, is_sample=True)
        if top is hub:
            matches.propose(s, need.id, english.id, fused_score=0.1, is_sample=True)
    s.flush()
    figures = check.measure(s)
    assert figures.needs == 4 and figures.with_matches == 4
    assert figures.top_hub == hub.id and figures.top_hub_share == 0.75  # three of four needs
    assert figures.chain_agreement == 0.75  # the fourth's top is in another chain
    assert figures.cross_language_top == 0.25  # and in English
    assert (figures.median_listed, figures.most_listed) == (2, 2)
