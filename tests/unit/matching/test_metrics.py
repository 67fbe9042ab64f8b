"""The evaluation metrics on tiny rankings whose answers are worked out by hand."""

import math

import pytest

from matching.fusion import rrf, weighted
from matching.metrics import (
    by_slice,
    evaluate,
    evaluate_languages,
    hub_share,
    intrusion_at_1,
    mrr_at,
    ndcg_at,
    recall_at,
    slice_name,
)


def test_recall_counts_relevant_documents_in_the_cut():
    assert recall_at(["a", "x", "b"], {"a": 1, "b": 1, "c": 1, "z": 0}, k=2) == pytest.approx(1 / 3)


def test_ndcg_uses_the_exponential_gain_of_graded_labels():
    qrels = {"own": 2, "same": 1}
    dcg = 1 / math.log2(2) + 3 / math.log2(3)  # "same" first (gain 1), "own" second (gain 3)
    ideal = 3 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at(["same", "own"], qrels) == pytest.approx(dcg / ideal)
    assert ndcg_at(["own", "same"], qrels) == pytest.approx(1.0)
    assert ndcg_at(["x", "y"], qrels) == 0.0


def test_mrr_is_the_reciprocal_rank_of_the_first_relevant_document():
    assert mrr_at(["x", "y", "a"], {"a": 1}) == pytest.approx(1 / 3)
    assert mrr_at(["x"] * 10 + ["a"], {"a": 1}) == 0.0


def test_evaluate_averages_over_queries_with_relevant_documents_only():
    runs = {"q1": ["a", "b"], "q2": ["c"], "q3": ["d"]}
    qrels = {"q1": {"a": 1}, "q2": {"z": 1}, "q3": {"d": 0}}
    result = evaluate(runs, qrels)
    assert result == {"recall@10": 0.5, "ndcg@10": 0.5, "mrr@10": 0.5}


def test_rrf_and_weighted_fusion_reward_agreement_and_respect_visibility():
    rankings = {"dense": ["a", "b", "c"], "lexical": ["b", "a"]}
    assert [d for d, _ in rrf(rankings)][:2] in (["a", "b"], ["b", "a"])
    scores = {"dense": {"a": 0.9, "b": 0.8, "c": 0.5}, "lexical": {"b": 10.0, "a": 1.0}}
    fused = dict(weighted(scores, {"dense": 0.5, "lexical": 0.5}))
    assert fused["b"] > fused["a"] > fused["c"]
    scores = {"dense": {"a": 0.9, "c": 0.85, "b": 0.5}, "lexical": {"a": 10.0, "b": 1.0}}
    plain = dict(weighted(scores, {"dense": 0.5, "lexical": 0.5}))
    cross = dict(weighted(scores, {"dense": 0.5, "lexical": 0.5}, sees=lambda ch, d: (ch, d) != ("lexical", "c")))
    assert plain["c"] == pytest.approx(0.5 * 0.875)  # counted as a lexical miss
    assert cross["c"] == pytest.approx(0.875)  # a channel that cannot see it is left out


# --- languages and hubs ---------------------------------------------------------------------------------

QUERY_LANG = {"q1": "zh", "q2": "zh", "q3": "zh", "q4": "en"}
DOC_LANG = {"zh1": "zh", "zh2": "zh", "en1": "en", "en2": "en", "both": "en+zh"}


def test_a_slice_is_the_query_language_and_the_relevant_documents_languages():
    assert slice_name("zh", ["en"]) == "zh->en"
    assert slice_name("zh", ["zh", "en"]) == "zh->en+zh"
    assert slice_name("en", ["en+zh"]) == "en->en+zh"
    assert slice_name(None, [None]) == "?->?"


def test_ndcg_per_slice_averages_each_slices_queries_only():
    qrels = {"q1": {"zh1": 1}, "q2": {"en1": 1}, "q3": {"en2": 1}, "q4": {"en1": 1, "zh2": 0}}
    runs = {"q1": ["zh1"], "q2": ["zh2", "en1"], "q3": ["zh1"], "q4": ["en1"]}
    slices = by_slice(runs, qrels, QUERY_LANG, DOC_LANG)
    assert set(slices) == {"zh->zh", "zh->en", "en->en"}  # the label 0 of q4 does not make a slice
    assert slices["zh->zh"]["ndcg@10"] == 1.0 and slices["zh->zh"]["queries"] == 1
    # q2 finds its document second (1/log2(3) = 0.6309), q3 not at all: the mean is 0.3155
    assert slices["zh->en"]["ndcg@10"] == pytest.approx(0.5 / math.log2(3), abs=1e-4)
    assert slices["zh->en"]["queries"] == 2 and slices["zh->en"]["mrr@10"] == 0.25
    assert slices["en->en"]["ndcg@10"] == 1.0


def test_intrusion_counts_only_queries_whose_answers_are_all_in_their_own_language():
    qrels = {"q1": {"zh1": 1}, "q2": {"zh2": 1}, "q3": {"en1": 1}, "q4": {"en2": 1}}
    runs = {"q1": ["en1", "zh1"],  # intruded: English first
            "q2": ["zh2", "en1"],  # not intruded (the other language only second)
            "q3": ["zh1"],         # cross-language query: not counted at all
            "q4": ["both"]}        # a document that is also in English is not an intruder
    assert intrusion_at_1(runs, qrels, QUERY_LANG, DOC_LANG) == pytest.approx(1 / 3, abs=1e-4)
    # an empty ranking intrudes nothing; no eligible query at all gives None
    assert intrusion_at_1({"q1": []}, {"q1": {"zh1": 1}}, QUERY_LANG, DOC_LANG) == 0.0
    assert intrusion_at_1(runs, {"q3": {"en1": 1}}, QUERY_LANG, DOC_LANG) is None


def test_hub_share_is_the_largest_share_of_judged_queries_led_by_one_document():
    qrels = {"q1": {"zh1": 1}, "q2": {"zh2": 1}, "q3": {"en1": 1}, "q4": {"en2": 1}, "q5": {"x": 0}}
    runs = {"q1": ["hub", "zh1"], "q2": ["hub"], "q3": ["hub", "en1"], "q4": [], "q5": ["hub"]}
    assert hub_share(runs, qrels) == 0.75  # 3 of the 4 judged queries (q5 has no relevant document)
    assert hub_share({}, qrels) == 0.0


def test_evaluate_languages_puts_the_new_figures_beside_the_means():
    qrels = {"q1": {"zh1": 1}, "q4": {"en1": 1}}
    figures = evaluate_languages({"q1": ["zh1"], "q4": ["zh1", "en1"]}, qrels, QUERY_LANG, DOC_LANG)
    assert figures["ndcg@10"] == pytest.approx((1 + 1 / math.log2(3)) / 2, abs=1e-4)
    assert figures["intrusion@1"] == 0.5 and figures["hub_share"] == 1.0
    assert set(figures["slices"]) == {"zh->zh", "en->en"}
