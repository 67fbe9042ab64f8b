"""Retrieval metrics at a cut-off: Recall, nDCG (gain 2^rel - 1, as the bench baselines) and MRR.

With binary labels the gain makes no difference; with graded ones (csl_zh discipline: own abstract 2,
same discipline 1) it is the exponential gain that the shared baselines were measured with."""

import math
from collections.abc import Mapping, Sequence


def recall_at(ranked: Sequence, qrels: Mapping, k: int = 10) -> float:
    relevant = {d for d, r in qrels.items() if r > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def ndcg_at(ranked: Sequence, qrels: Mapping, k: int = 10) -> float:
    dcg = sum((2 ** qrels.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if qrels.get(d, 0) > 0)
    ideal = sorted((r for r in qrels.values() if r > 0), reverse=True)[:k]
    idcg = sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr_at(ranked: Sequence, qrels: Mapping, k: int = 10) -> float:
    for i, d in enumerate(ranked[:k]):
        if qrels.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(runs: Mapping[str, Sequence], qrels: Mapping[str, Mapping], k: int = 10) -> dict[str, float]:
    """Mean metrics over the queries that have at least one relevant document."""
    queries = [q for q, rels in qrels.items() if any(r > 0 for r in rels.values())]
    if not queries:
        return {f"recall@{k}": 0.0, f"ndcg@{k}": 0.0, f"mrr@{k}": 0.0}
    totals = {f"recall@{k}": 0.0, f"ndcg@{k}": 0.0, f"mrr@{k}": 0.0}
    for q in queries:
        ranked = runs.get(q, [])
        totals[f"recall@{k}"] += recall_at(ranked, qrels[q], k)
        totals[f"ndcg@{k}"] += ndcg_at(ranked, qrels[q], k)
        totals[f"mrr@{k}"] += mrr_at(ranked, qrels[q], k)
    return {m: round(v / len(queries), 4) for m, v in totals.items()}
