"""The public landing page shows the headline figures of the dashboard's computation: the five scores of the
city in the latest month with snapshots."""

import re
from html import unescape

from backend.ledger.kinds import EventKind as K
from backend.scores import service
from tests.unit.scores.test_dashboard_more import AS_OF, open_needs, when


def test_the_landing_page_says_no_data_yet_without_scores(client):
    html = unescape(client.get("/?lang=en").text)
    assert "The region's five powers" in html
    assert "No data yet: the scores appear once collaboration on the platform has been recorded." in html
    assert "sample-banner" not in html


def test_the_landing_page_shows_the_latest_city_month_as_the_dashboard_does(world, client):
    open_needs(world)
    world.emit(K.NEED_POSTED, when(1, 3), need=0)
    world.emit(K.MATCH_ACCEPTED, when(1, 9), need=0, cap=0, **{"from": "university_interested"})
    world.emit(K.NEED_POSTED, when(3, 3), need=1)
    world.emit(K.MATCH_ACCEPTED, when(3, 6), need=1, cap=1, **{"from": "firm_interested"})
    service.recompute(world.session, as_of=AS_OF)
    html = client.get("/?lang=en").text
    section = html[html.index('id="scores-h"'):html.index("Latest needs")]
    assert "Shaoxing, March 2025" in section
    march = service.read(world.session, "330600", "month", AS_OF.replace(month=3, day=1))
    cooperation = next(d for d in march.dimensions if d.dimension == "cooperation").value
    cards = re.findall(r'<div class="n">(.*?)</div><div class="muted">([^<]+)</div>', section, re.S)
    assert dict((name, value) for value, name in cards)["Shared cooperation"] == f"{round(cooperation, 1):g}"
    assert "sample-banner" not in html


def test_sample_scores_raise_the_sample_banner(world, client):
    open_needs(world)
    world.emit(K.NEED_POSTED, when(1, 3), need=0, sample=True)
    service.recompute(world.session, as_of=AS_OF)
    html = client.get("/?lang=zh").text
    assert "sample-banner" in html and "地区“五力”指数" in html
    assert ">企业需求<" in html  # the menu keeps its words


def test_the_dashboard_words_do_not_change_the_same_words_elsewhere():
    """Catalogues are merged into one per language, so an English text must read the same in every file."""
    from babel.messages.pofile import read_po

    from backend.i18n import LOCALE_DIR

    folder = LOCALE_DIR / "zh_CN" / "LC_MESSAGES"
    words: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as fh:
            for message in read_po(fh, locale="zh_CN"):
                if message.id and message.string:
                    words.setdefault(message.id, {})[path.name] = message.string
    clashes = {mid: found for mid, found in words.items()
               if len(set(found.values())) > 1 and {"scores.po", "boards.po"} & set(found)}
    assert clashes == {}
