"""Rank fusion of several ranked candidate lists."""

from collections.abc import Callable, Mapping, Sequence


def rrf(
    rankings: Mapping[str, Sequence],
    k: int = 60,
    weights: Mapping[str, float] | None = None,
    sees: Callable[[str, object], bool] | None = None,
) -> list[tuple]:
    """Reciprocal rank fusion, best first (ties by first seen).

    score(d) = sum_c w_c / (k + rank_c(d)) / sum_c w_c over the channels c that can see d. A channel that
    cannot see a candidate at all (keywords across languages, an English-only model on Chinese text) is
    left out of that candidate's mean instead of counting as a miss; with `sees` unset every channel
    sees every candidate and this is plain RRF up to a constant factor.
    """
    found: dict = {}
    order: dict = {}
    for channel, ranked in rankings.items():
        for rank, item in enumerate(ranked, start=1):
            found.setdefault(item, {})[channel] = rank
            order.setdefault(item, len(order))
    scores = {}
    for item, ranks in found.items():
        total = weight_sum = 0.0
        for channel in rankings:
            if sees is not None and not sees(channel, item):
                continue
            w = 1.0 if weights is None else weights.get(channel, 1.0)
            weight_sum += w
            if channel in ranks:
                total += w / (k + ranks[channel])
        scores[item] = total / weight_sum if weight_sum else 0.0
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def weighted(
    scores: Mapping[str, Mapping],
    weights: Mapping[str, float],
    sees: Callable[[str, object], bool] | None = None,
) -> list[tuple]:
    """Convex combination of min-max normalised channel scores, best first (ties by first seen).

    Each channel's scores are scaled to [0, 1] over its own candidates; a candidate a channel did not
    retrieve counts 0 there. As in `rrf`, a channel that cannot see a candidate is left out of that
    candidate's weighted mean rather than counted as a miss.
    """
    normalised: dict[str, dict] = {}
    order: dict = {}
    for channel, by_item in scores.items():
        if not by_item:
            continue
        lo, hi = min(by_item.values()), max(by_item.values())
        normalised[channel] = {d: (s - lo) / (hi - lo) if hi > lo else 1.0 for d, s in by_item.items()}
        for d in by_item:
            order.setdefault(d, len(order))
    fused = {}
    for item in order:
        total = weight_sum = 0.0
        for channel, norm in normalised.items():
            if sees is not None and not sees(channel, item):
                continue
            w = weights.get(channel, 1.0)
            weight_sum += w
            total += w * norm.get(item, 0.0)
        fused[item] = total / weight_sum if weight_sum else 0.0
    return sorted(fused.items(), key=lambda kv: (-kv[1], order[kv[0]]))
