"""`matchmaker tune`: fit the calibrated match score (matching.calibration) on the dev splits of several
labelled sets at once, forward and reverse, and check it on their test splits.

1. `dump`: each split runs through the product's own retrieval (`evaluation.run_eval` in a scratch
   database), and every candidate of every query is saved with its features and language
   (`<data dir>/tune/<split>.json`; embeddings come from the on-disk cache).
2. `fit`: a logistic regression (scikit-learn) on the dev candidates, labelled relevant / not relevant
   by the qrels; each split weighs the same in total, whatever its size. Nothing is fitted on test queries.
3. `report`: nDCG@10 per split of the calibrated ranking, the first-stage fusion and each feature alone;
   the calibration curve (predicted against observed share of relevant pairs) on the held-out test splits,
   drawn with pygal as an SVG.
"""

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backend.bench import evaluation
from matching import calibration, centroids
from matching.metrics import evaluate, slice_name

#: The features of the fitted model (see matching.calibration.FEATURES). Within one language the model sees
#: only the first-stage fusion (and the language's lead, the same for every candidate of that language), so
#: the order of same-language candidates is the first-stage fusion's, which the monolingual sets were tuned
#: on; every cross-language signal has its own weight and decides where the other language's candidates go.
#: Measured on the dev splits (`matchmaker tune` prints them): with every feature in the model, xling_shared
#: gained (test 0.724 against 0.714) but scifact dev fell from 0.743 to 0.732 and csl_zh below its BM25.
MODEL_FEATURES = ("fused", "cross", "lead", "cross_lex_conf", "x_cos", "x_cos_gap", "x_lead", "x_fb_cos",
                  "x_fb_lex", "x_fused")
#: Inverse regularisation strength of the logistic regression on standardised features.
C = 1.0


@dataclass(frozen=True)
class Split:
    """One labelled query set: a bench folder, its query and qrels files, optionally one part of
    needs_meta.jsonl's split, in one direction."""

    name: str
    folder: str
    needs: str | None = None
    qrels: str | None = None
    part: str | None = None  # keep only the needs whose needs_meta.jsonl "split" is this
    reverse: bool = False

    @property
    def slug(self) -> str:
        return self.name.replace(" ", "_").replace("/", "_")


DEV = (
    Split("xling_shared dev", "xling_shared", "needs_dev.jsonl", "qrels_dev.tsv"),
    Split("xling_shared dev reverse", "xling_shared", "needs_dev.jsonl", "qrels_dev.tsv", reverse=True),
    Split("scifact_en dev", "scifact_en", "needs_dev.jsonl", "qrels_dev.tsv"),
    Split("csl_zh dev", "csl_zh", None, "qrels.tsv", part="dev"),
    Split("csl_zh discipline dev", "csl_zh", None, "qrels_discipline.tsv", part="dev"),
)
TEST = (
    Split("xling_shared test", "xling_shared"),
    Split("scifact_en test", "scifact_en"),
    Split("csl_zh test", "csl_zh", None, "qrels.tsv", part="test"),
    Split("csl_zh discipline test", "csl_zh", None, "qrels_discipline.tsv", part="test"),
    Split("csl_zh keywords", "csl_zh", "needs_keywords.jsonl"),
)
#: The README's csl_zh rows use every need, dev and test: the union of these splits' queries.
WHOLE = {"csl_zh": ("csl_zh dev", "csl_zh test"),
         "csl_zh discipline": ("csl_zh discipline dev", "csl_zh discipline test")}


def load_split(root: Path, split: Split) -> evaluation.BenchSet:
    folder = root / split.folder
    bench = evaluation.load_set(folder, Path(split.needs) if split.needs else None,
                                Path(split.qrels) if split.qrels else None)
    if split.part:
        meta = {str(r["id"]): r.get("split") for r in evaluation.read_jsonl(folder / "needs_meta.jsonl")}
        bench.needs = [n for n in bench.needs if meta.get(str(n["id"])) == split.part]
        keep = {str(n["id"]) for n in bench.needs}
        bench.qrels = {q: r for q, r in bench.qrels.items() if q in keep}
    return bench


def qrels_of(bench: evaluation.BenchSet, reverse: bool) -> dict[str, dict[str, int]]:
    if not reverse:
        return bench.qrels
    inverted: dict[str, dict[str, int]] = defaultdict(dict)
    for q, rels in bench.qrels.items():
        for c, r in rels.items():
            inverted[c][q] = r
    return dict(inverted)


def dump(url: str, root: Path, split: Split, cache_path: Path | None, progress=None) -> dict:  # noqa: ANN001
    """Run one split through retrieval and return {"qrels", "queries": {id: {"language", "candidates"}}}."""
    bench = load_split(root, split)
    kept: dict = {}
    results = evaluation.run_eval(url, bench, reverse=split.reverse, cache_path=cache_path, progress=progress,
                                  keep_candidates=kept)
    # each channel's own figures (not the hybrid's: that depends on the model the dump was made under)
    channels = {name: m["ndcg@10"] for name, m in results.items() if name not in ("hybrid", "fusion:weighted")}
    return {"split": split.name, "qrels": qrels_of(bench, split.reverse), "queries": kept, "channels": channels}


def union(name: str, parts: list[dict]) -> dict:
    """One dump of several disjoint query sets over the same corpus (channel figures: query-weighted means)."""
    out: dict = {"split": name, "qrels": {}, "queries": {}, "channels": {}, "doc_languages": {}}
    for part in parts:
        out["qrels"].update(part["qrels"])
        out["queries"].update(part["queries"])
        out["doc_languages"].update(part.get("doc_languages") or {})
    total = sum(len(p["queries"]) for p in parts)
    names = set.intersection(*(set(p.get("channels", {})) for p in parts)) if parts else set()
    for channel in names:  # a mean over queries: the parts' means weighted by their query counts
        out["channels"][channel] = sum(p["channels"][channel] * len(p["queries"]) for p in parts) / total
    return out


def _rows(data: dict, features: tuple[str, ...]):  # noqa: ANN202 - (X, y, query index)
    x, y, group = [], [], []
    for n, (q, item) in enumerate(sorted(data["queries"].items())):
        rels = data["qrels"].get(q, {})
        for doc, _lang, feats in item["candidates"]:
            x.append([float(feats.get(f, 0.0)) for f in features])
            y.append(1 if rels.get(doc, 0) > 0 else 0)
            group.append(n)
    return np.asarray(x, dtype=np.float64), np.asarray(y), np.asarray(group)


def fit(dumps: list[dict], features: tuple[str, ...] = MODEL_FEATURES, c: float = C) -> calibration.Calibration:
    """A logistic regression over standardised features; every split weighs the same in total."""
    from sklearn.linear_model import LogisticRegression

    xs, ys, ws = [], [], []
    for data in dumps:
        x, y, _group = _rows(data, features)
        if not len(y):
            continue
        xs.append(x)
        ys.append(y)
        ws.append(np.full(len(y), 1.0 / len(y)))
    x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    w *= len(y) / w.sum()
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=w)
    about = {"fitted_on": [d["split"] for d in dumps], "pairs": int(len(y)), "relevant": int(y.sum()), "C": c,
             "by": "matchmaker tune (backend/bench/tuning.py)"}
    return calibration.Calibration(tuple(features), tuple(mean.round(6)), tuple(scale.round(6)),
                                   tuple(model.coef_[0].round(6)), round(float(model.intercept_[0]), 6), about)


def ranked_by(data: dict, score: Callable[[dict], float]) -> dict[str, list[str]]:
    """Each query's candidates ranked by a score of their features (each document once)."""
    out = {}
    for q, item in data["queries"].items():
        best: dict[str, float] = {}
        for doc, _lang, feats in item["candidates"]:
            s = score(feats)
            if doc not in best or s > best[doc]:
                best[doc] = s
        out[q] = sorted(best, key=lambda d: -best[d])
    return out


def ndcg(data: dict, runs: dict[str, list[str]]) -> float:
    qrels = {q: r for q, r in data["qrels"].items() if q in data["queries"]}
    return evaluate(runs, qrels)["ndcg@10"]


def posting_text_of(record: dict) -> str:
    """The text the product embeds and indexes for a bench record loaded as a posting (as the eval loads it)."""
    from backend.capabilities.schemas import CapabilityIn
    from backend.postings import text_of

    return text_of(CapabilityIn(organisation_id=1, kind="result", title=evaluation._title(record),
                                description=record["text"]))


def document_languages(root: Path, split: Split) -> dict[str, str]:
    """The detected language of every document of a split's corpus (as the postings would have it)."""
    from matching.lexical import detect_language

    bench = load_split(root, split)
    records = bench.needs if split.reverse else bench.capabilities
    return {str(rec["id"]): detect_language(posting_text_of(rec)) for rec in records}


def slices(data: dict, runs: dict[str, list[str]]) -> dict[str, float]:
    """nDCG@10 per language slice (query language -> relevant documents' language)."""
    langs = data.get("doc_languages") or {
        doc: lang for item in data["queries"].values() for doc, lang, _f in item["candidates"]}
    groups: dict[str, dict] = defaultdict(dict)
    for q, item in data["queries"].items():
        rels = data["qrels"].get(q, {})
        relevant = [langs.get(d) for d, r in rels.items() if r > 0]
        if relevant:
            groups[slice_name(item["language"], relevant)][q] = rels
    return {name: evaluate(runs, rels)["ndcg@10"] for name, rels in sorted(groups.items())}


def keep_threshold(dumps: list[dict], model: calibration.Calibration, share: float = 0.95) -> float:
    """The calibrated score that keeps `share` of the relevant pairs the calibrated ranking puts in a top 10
    (each split weighing the same): the lowest score worth proposing (MATCHMAKER_MATCH_MIN_SCORE)."""
    lows = []
    for data in dumps:
        scores = []
        for q, item in data["queries"].items():
            rels = data["qrels"].get(q, {})
            ranked = sorted(((model.probability(f), doc) for doc, _lang, f in item["candidates"]), reverse=True)
            scores += [p for p, doc in ranked[:10] if rels.get(doc, 0) > 0]
        if scores:
            lows.append(float(np.quantile(scores, 1 - share)))
    return min(lows) if lows else 0.0


def calibration_curve(dumps: list[dict], model: calibration.Calibration, bins: int = 10) -> list[dict]:
    """Predicted against observed share of relevant pairs in equal-count bins of the predicted score."""
    preds, labels = [], []
    for data in dumps:
        x, y, _group = _rows(data, model.features)
        rows = [dict(zip(model.features, r, strict=True)) for r in x]
        preds.append(model.probabilities(rows))
        labels.append(y)
    p, y = np.concatenate(preds), np.concatenate(labels)
    order = np.argsort(p)
    out = []
    for chunk in np.array_split(order, bins):
        if len(chunk):
            out.append({"predicted": float(p[chunk].mean()), "observed": float(y[chunk].mean()),
                        "pairs": int(len(chunk))})
    return out


def curve_svg(points: list[dict], title: str) -> bytes:
    """The calibration curve as an SVG (pygal): observed against predicted, with the diagonal."""
    import pygal

    chart = pygal.XY(title=title, x_title="predicted probability (calibrated match score)",
                     y_title="observed share of relevant pairs", show_legend=True, legend_at_bottom=True,
                     range=(0, 1), xrange=(0, 1), dots_size=4, width=640, height=480, disable_xml_declaration=False,
                     js=[])
    from backend.scores.pages import _without_scripts  # the dashboard's charts are cleaned the same way

    chart.add_xml_filter(_without_scripts)
    chart.add("perfect calibration", [(0, 0), (1, 1)], stroke_style={"dasharray": "4,4"}, show_dots=False)
    chart.add("held-out test pairs", [(pt["predicted"], pt["observed"]) for pt in points])
    return chart.render()


#: The split whose queries and corpus give the language centroids: both languages in one domain (arXiv
#: computer science), so that the difference of the languages' means is the language, not the topic.
CENTROID_SPLIT = DEV[0]


def estimate_centroids(root: Path, cache_path: Path | None, progress=None) -> "centroids.Centroids":  # noqa: ANN001
    """The multilingual model's mean query and passage vector per detected language, over CENTROID_SPLIT's
    queries (query side) and corpus (passage side), embedded as the product embeds postings."""
    from backend.matches import matching
    from matching.cache import EmbeddingCache
    from matching.channels import MULTILINGUAL
    from matching.lexical import detect_language

    bench = load_split(root, CENTROID_SPLIT)
    model = matching.embedder(MULTILINGUAL, EmbeddingCache(cache_path) if cache_path else None)

    sides = {}
    for side, records in (("query", bench.needs), ("passage", bench.capabilities)):
        found = [posting_text_of(r) for r in records]
        embed = model.embed_queries if side == "query" else model.embed_passages
        vectors = np.asarray(embed(found, on_progress=progress) if progress else embed(found))
        langs = np.asarray([detect_language(t) for t in found])
        sides[side] = {lang: vectors[langs == lang] for lang in ("zh", "en") if (langs == lang).any()}
    about = {"estimated_on": f"{CENTROID_SPLIT.name}: {len(bench.needs)} queries, {len(bench.capabilities)} "
                             "corpus documents", "by": "matchmaker tune --centroids (backend/bench/tuning.py)",
             "counts": {side: {k: int(len(v)) for k, v in by.items()} for side, by in sides.items()}}
    return centroids.Centroids.estimate(model.model_id, sides["query"], sides["passage"], about)


def save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def read(path: Path) -> dict:
    """A saved dump, with every candidate's cross-language twin features set (older dumps lack them)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for item in data["queries"].values():
        for _doc, _lang, feats in item["candidates"]:
            calibration.with_interactions(feats)
    return data
