"""Retrieval metrics at a cut-off: Recall, nDCG (gain 2^rel - 1, as the bench baselines) and MRR; and, for
bilingual sets, nDCG per language slice, the intrusion rate and the hub share.

With binary labels the gain makes no difference; with graded ones (csl_zh discipline: own abstract 2,
same discipline 1) it is the exponential gain that the shared baselines were measured with."""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence


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


# --- languages and hubs: what a mean nDCG hides on a bilingual set ------------------------------------

def _langs(lang: str | None) -> frozenset[str]:
    """The languages of a document's label: "zh", or "en+zh" for one document kept in both."""
    return frozenset(lang.split("+")) if lang else frozenset()


def slice_name(query_lang: str | None, relevant_langs: Iterable[str | None]) -> str:
    """"zh->en": the query's language and the languages its relevant documents are in ("zh->en+zh" when
    they are in both, "?" for an unknown language)."""
    target = sorted(set().union(*(_langs(x) for x in relevant_langs)) or {"?"})
    return f"{query_lang or '?'}->{'+'.join(target)}"


def _judged(qrels: Mapping[str, Mapping]) -> list[str]:
    return [q for q, rels in qrels.items() if any(r > 0 for r in rels.values())]


def by_slice(
    runs: Mapping[str, Sequence],
    qrels: Mapping[str, Mapping],
    query_lang: Mapping[str, str],
    doc_lang: Mapping[str, str],
    k: int = 10,
) -> dict[str, dict[str, float]]:
    """evaluate() per slice (query language -> relevant documents' language), with the slice's query count."""
    groups: dict[str, dict[str, Mapping]] = {}
    for q in _judged(qrels):
        relevant = [doc_lang.get(d) for d, r in qrels[q].items() if r > 0]
        groups.setdefault(slice_name(query_lang.get(q), relevant), {})[q] = qrels[q]
    return {name: {**evaluate(runs, rels, k), "queries": len(rels)} for name, rels in sorted(groups.items())}


def intrusion_at_1(
    runs: Mapping[str, Sequence],
    qrels: Mapping[str, Mapping],
    query_lang: Mapping[str, str],
    doc_lang: Mapping[str, str],
) -> float | None:
    """Of the queries whose relevant documents are all in the query's own language, the share whose first
    result is not in that language; None when no query is of that kind."""
    eligible = intruded = 0
    for q in _judged(qrels):
        lang = query_lang.get(q)
        if not lang or any(_langs(doc_lang.get(d)) != {lang} for d, r in qrels[q].items() if r > 0):
            continue
        eligible += 1
        ranked = runs.get(q, [])
        if ranked and lang not in _langs(doc_lang.get(ranked[0])):
            intruded += 1
    return round(intruded / eligible, 4) if eligible else None


def hub_share(runs: Mapping[str, Sequence], qrels: Mapping[str, Mapping]) -> float:
    """The largest share of the judged queries for which one document is the first result."""
    queries = _judged(qrels)
    firsts = Counter(runs[q][0] for q in queries if runs.get(q))
    return round(max(firsts.values()) / len(queries), 4) if firsts else 0.0


def evaluate_languages(
    runs: Mapping[str, Sequence],
    qrels: Mapping[str, Mapping],
    query_lang: Mapping[str, str],
    doc_lang: Mapping[str, str],
    k: int = 10,
) -> dict:
    """evaluate() plus "slices" (per-slice metrics), "intrusion@1" and "hub_share"."""
    return {
        **evaluate(runs, qrels, k),
        "slices": by_slice(runs, qrels, query_lang, doc_lang, k),
        "intrusion@1": intrusion_at_1(runs, qrels, query_lang, doc_lang),
        "hub_share": hub_share(runs, qrels),
    }
