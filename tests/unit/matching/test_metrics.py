"""The evaluation metrics on tiny rankings whose answers are worked out by hand."""

import math

import pytest

from matching.fusion import rrf, weighted
from matching.metrics import evaluate, mrr_at, ndcg_at, recall_at


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
