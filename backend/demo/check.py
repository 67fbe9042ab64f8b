"""How the engine's matches look on the sample data, measured as issue #10 states its targets: how often one
capability leads many needs (hubs), how often the top match shares the need's chain, how often it crosses
languages, and how many matches a need's page lists before "show all"."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.capabilities.models import Capability
from backend.matches import repository
from backend.matches.views import PAGE_FIRST
from backend.needs.models import Need


@dataclass
class SampleFigures:
    needs: int
    with_matches: int
    top_hub_share: float  # the largest share of needs one capability leads
    top_hub: int | None
    chain_agreement: float  # of needs with a chain whose top capability has one: the share where they agree
    cross_language_top: float  # share of needs whose top match is in the other language
    median_listed: int
    most_listed: int
    page_first: int = PAGE_FIRST


def measure(session: Session) -> SampleFigures:
    needs = list(session.scalars(select(Need).where(Need.is_sample.is_(True)).order_by(Need.id)))
    caps = {c.id: c for c in session.scalars(select(Capability))}
    firsts: Counter = Counter()
    agree = judged = crossed = 0
    listed = []
    for need in needs:
        matches = repository.for_need(session, need.id)
        listed.append(len(matches))
        if not matches:
            continue
        top = caps[matches[0].capability_id]
        firsts[top.id] += 1
        crossed += top.language != need.language
        if need.chain_id is not None and top.chain_id is not None:
            judged += 1
            agree += top.chain_id == need.chain_id
    with_matches = sum(firsts.values())
    hub, hub_count = firsts.most_common(1)[0] if firsts else (None, 0)
    listed.sort()
    return SampleFigures(
        needs=len(needs), with_matches=with_matches,
        top_hub_share=round(hub_count / with_matches, 4) if with_matches else 0.0, top_hub=hub,
        chain_agreement=round(agree / judged, 4) if judged else 0.0,
        cross_language_top=round(crossed / with_matches, 4) if with_matches else 0.0,
        median_listed=listed[len(listed) // 2] if listed else 0, most_listed=listed[-1] if listed else 0)
