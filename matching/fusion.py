"""Rank fusion of several ranked candidate lists."""

from collections.abc import Mapping, Sequence


def rrf(rankings: Mapping[str, Sequence], k: int = 60, weights: Mapping[str, float] | None = None) -> list[tuple]:
    """Reciprocal rank fusion: score(d) = sum_c w_c / (k + rank_c(d)); best first, ties by first seen."""
    scores: dict = {}
    order: dict = {}
    for channel, ranked in rankings.items():
        w = 1.0 if weights is None else weights.get(channel, 1.0)
        for rank, item in enumerate(ranked, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
            order.setdefault(item, len(order))
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))
