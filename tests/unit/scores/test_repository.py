"""A partial's stored state: the histograms apart, decoded only when read."""

import json

from backend.scores.components import add_need, new_state
from backend.scores.repository import dump_state, load_state

PART = {"day": 739000, "folded": False, "stages": ["matched", "responded"], "spans": {"posted_to_matched": 2},
        "accepted": None, "response": 5, "ok14": 1, "q7": 0, "strategic": 1}


def _state() -> dict:
    st = new_state()
    add_need(st, PART)
    st["accepted"] = 3
    return st


def test_a_state_reads_back_as_written_histograms_included():
    st = _state()
    stored = load_state(dump_state(st))
    assert {**stored, "hist": stored["hist"]} == st


def test_histograms_nobody_read_are_written_back_unchanged_and_the_counters_as_changed():
    text = dump_state(_state())
    stored = load_state(text)
    stored["accepted"] += 1
    assert "hist" not in stored  # not decoded yet
    again = load_state(dump_state(stored))
    assert dump_state(stored).split("\n")[1] == text.split("\n")[1]
    assert again["accepted"] == 4
    assert again["hist"] == _state()["hist"]


def test_histograms_changed_after_reading_are_written():
    stored = load_state(dump_state(_state()))
    add_need(stored, PART, -1)
    assert load_state(dump_state(stored))["hist"] == {"posted_to_matched": {}, "response": {}}
    assert load_state(dump_state(stored))["posted"] == 0


def test_a_state_stored_as_one_document_still_reads_and_is_written_in_two():
    st = _state()
    stored = load_state(json.dumps(st))
    assert stored["hist"] == st["hist"]
    text = dump_state(stored)
    assert len(text.split("\n")) == 2
    again = load_state(text)
    assert {**again, "hist": again["hist"]} == st
