"""The catalogue moved out of data.py into catalogue.yaml: the generated sample data is exactly the same."""

import hashlib
from datetime import date

import yaml

from backend.demo import data

# sha256 of repr() of each part of data.build(date(2026, 12, 2)), computed with the catalogue still a
# Python literal in data.py (before it moved to catalogue.yaml).
BEFORE = {
    "organisations": (108, "23a31efcb391f587cf48c39812bfb8263496ce3f875aa5e3983585b906d9565a"),
    "needs": (233, "b0c42c479bb0fd0bc3a1d1a57d336f28c5a6466036c4c9869d75acf9af1f6b47"),
    "capabilities": (648, "77b73edaa7680db2a61bd81bcd18db50cebb3ba1b1ff2dc4c26a603e6f95b81e"),
    # the matches changed on purpose: the pairs are the same, their scores and explanations now come from the engine,
    # and the sample marker is the typed Explanation(sample=True); then each proposal's own score (from the draws
    # that were already made: the rest of the data is unchanged)
    "matches": (694, "48f550b75f2e451961fc41d689f011577f1a828c6b5487d7c5036e257c92ccaf"),
    "projects": (140, "3baeaeab7a4f965275303118a0325057482b64cfcc3cbe1e1c3ab92371c8492e"),
    "partnerships": (52, "2a4c5d739895a73c0431d7862eaf639a208a54c324974e698a85719fcec27f11"),
    "users": (4, "64467995d2fe5ac0c43b7a49b2aef40ff4f5ae23e98323e44504452b4422f24c"),
}


def test_the_sample_data_is_the_same_as_before_the_catalogue_moved():
    dataset = data.build(date(2026, 12, 2))
    now = {name: (len(getattr(dataset, name)), hashlib.sha256(repr(getattr(dataset, name)).encode()).hexdigest())
           for name in BEFORE}
    assert now == BEFORE


def test_the_catalogue_file_is_read_whole_and_in_order():
    rows = yaml.safe_load(data.CATALOGUE_PATH.read_text(encoding="utf-8"))
    assert [t.key for t in data.TOPICS] == [r["key"] for r in rows]
    assert len(data.TOPICS) == len(data.TOPIC_BY_KEY) == 27  # keys are unique
    for topic in data.TOPICS:
        for pairs in (topic.components, topic.targets, topic.tried, topic.keywords, topic.methods,
                      topic.equipment, topic.achievements, [i.short for i in topic.issues],
                      [i.detail for i in topic.issues], [topic.name, topic.field]):
            assert pairs and all(len(p) == 2 and all(isinstance(x, str) and x for x in p) for p in pairs)
        assert all(0 <= n < len(topic.components) for i in topic.issues for n in i.only)
        assert topic.trl[0] <= topic.trl[1]
    # the optional fields kept their meaning
    assert any(not t.products for t in data.TOPICS) and any(t.users for t in data.TOPICS)
    assert any(t.extra_needs for t in data.TOPICS)
