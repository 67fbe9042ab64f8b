"""The calibrated match score: one number per need–capability pair, an estimate of the probability that the
pair is relevant, comparable across needs, directions and languages.

Retrieval gathers candidates from every channel (dense per target language, BM25, both feedback passes);
`features` describes each candidate by numbers that mean the same for every query (raw cosines, the
candidate's standing in its own language's pool, its keyword strength relative to the query's best, whether
it crosses languages and how sure the keyword channel is for this query); a logistic regression fitted on
the labelled dev splits of several sets (`matchmaker tune`, backend/bench/tuning.py) turns them into a
probability. Ranking, thresholds and the words of explanations all use it.

The fitted model is a small JSON file (`matching/data/calibration.json`): feature names, their means and
scales, the coefficients and the intercept. Nothing here reads settings or the database.
"""

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DEFAULT_PATH = Path(__file__).parent / "data" / "calibration.json"
#: The model fitted on language-centred similarities (matching/centroids.py), used when centring is on.
CENTRED_PATH = Path(__file__).parent / "data" / "calibration_centred.json"

#: Every feature a candidate can have; a fitted model uses a subset, in its own order.
FEATURES = (
    "cos",            # e5 cosine of the query and the candidate (raw)
    "cross",          # 1 when the candidate's language differs from the query's
    "cos_gap",        # cos minus the mean of the query's 10 nearest in the candidate's language
    "lead",           # the candidate language's best cosine minus the other language's best (0 if one is empty)
    "cross_lex_conf", # cross times how sure the keyword channel is (its top score's lead over the second)
    "lex",            # BM25 over the query's best BM25 (0 when keywords did not find it)
    "fb_cos",         # cosine with the feedback-moved query vector
    "fb_lex",         # feedback BM25 over its best (0 when not found)
    "minilm",         # English-only model's cosine where both sides are English, else 0
    "en_pair",        # 1 when both sides are English (the English model applies)
    "fused",          # the weighted mean of min-max normalised channel scores (the first-stage fusion)
    # the same signals again for cross-language candidates only (cross times the feature), so that how a
    # cross-language candidate is judged has its own weights, which monolingual sets cannot bend
    "x_cos", "x_cos_gap", "x_lead", "x_fb_cos", "x_fb_lex", "x_fused",
)
#: The features that have a cross-language twin ("x_" + name).
INTERACTIONS = ("cos", "cos_gap", "lead", "fb_cos", "fb_lex", "fused")


def with_interactions(row: dict[str, float]) -> dict[str, float]:
    """The row with its cross-language twins set (in place; returned for convenience)."""
    for name in INTERACTIONS:
        row[f"x_{name}"] = row["cross"] * row[name]
    return row

#: Neighbours whose mean is a language pool's typical similarity for one query.
POOL_NEIGHBOURS = 10


def _relative(scores: Mapping[int, float]) -> tuple[dict[int, float], float]:
    """Scores over the best one, and the best one's lead over the second (1.0 when alone)."""
    if not scores:
        return {}, 0.0
    ordered = sorted(scores.values(), reverse=True)
    best = ordered[0]
    if best <= 0:
        return dict.fromkeys(scores, 0.0), 0.0
    lead = 1.0 if len(ordered) < 2 else (best - ordered[1]) / best
    return {i: s / best for i, s in scores.items()}, lead


#: e5 cosines of a query with passages in the other language run about this much lower, related and unrelated
#: alike: 0.07 on Chinese/English pairs of equipment text (the product's domain), 0.056 on xling_shared's
#: arXiv titles and abstracts. Used only to judge a language pool too small to say what is typical.
CROSS_LANGUAGE_GAP = 0.07


def typical_neighbour(pools: Mapping[str, list[float]], query_language: str,
                      gap: float = CROSS_LANGUAGE_GAP) -> dict[str, float]:
    """The query's typical-neighbour cosine per target language: the mean of its POOL_NEIGHBOURS nearest there.

    A language with fewer postings than that cannot tell what is typical (the mean of three postings is
    mostly the best one): it gets the typical value of a language that can, moved by the cross-language gap
    (`gap`: CROSS_LANGUAGE_GAP for raw cosines, matching.centroids.TYPICAL_GAP for centred similarities).
    So a small pool's best is judged against the level of the large pool, not against its own few members.
    When no pool is large enough, the largest one is the reference.
    """
    def expected(lang: str) -> float:
        return 0.0 if lang == query_language else -gap

    def top_mean(sims: list[float]) -> float:
        return float(np.mean(sims[:POOL_NEIGHBOURS]))

    present = {lang: sims for lang, sims in pools.items() if sims}
    if not present:
        return {}
    solid = {lang: top_mean(sims) for lang, sims in present.items() if len(sims) >= POOL_NEIGHBOURS}
    if solid:
        ref = query_language if query_language in solid else max(solid, key=lambda lang: len(present[lang]))
        ref_value = solid[ref]
    else:
        ref = max(present, key=lambda lang: len(present[lang]))
        ref_value = top_mean(present[ref])
    return {lang: solid.get(lang, ref_value - expected(ref) + expected(lang)) for lang in present}


def features(
    candidates: list[int],
    *,
    query_language: str,
    language_of: Mapping[int, str],
    cos: Mapping[int, float],
    pools: Mapping[str, list[float]],
    lexical: Mapping[int, float],
    feedback_cos: Mapping[int, float] | None = None,
    feedback_lexical: Mapping[int, float] | None = None,
    minilm: Mapping[int, float] | None = None,
    fused: Mapping[int, float] | None = None,
) -> dict[int, dict[str, float]]:
    """The FEATURES of each candidate of one query.

    `cos` holds every candidate's raw e5 cosine; `pools` the query's e5 cosines with its nearest postings of
    each target language (best first, as dense retrieval found them); `lexical` / `feedback_lexical` the BM25
    scores of what keywords found; `minilm` the English model's cosines where it applies; `fused` the
    first-stage fusion score.
    """
    typical = typical_neighbour(pools, query_language)
    best = {lang: float(sims[0]) for lang, sims in pools.items() if sims}
    lex_rel, lex_conf = _relative(lexical)
    fb_rel, _lead = _relative(feedback_lexical or {})
    out: dict[int, dict[str, float]] = {}
    for item in candidates:
        lang = language_of.get(item, query_language)
        c = float(cos.get(item, 0.0))
        cross = 1.0 if lang != query_language else 0.0
        others = [v for other, v in best.items() if other != lang]
        lead = best[lang] - max(others) if lang in best and others else 0.0
        en_pair = 1.0 if (lang == "en" and query_language == "en") else 0.0
        out[item] = with_interactions({
            "cos": c,
            "cross": cross,
            "cos_gap": c - typical.get(lang, c),
            "lead": lead,
            "cross_lex_conf": cross * lex_conf,
            "lex": lex_rel.get(item, 0.0),
            "fb_cos": float((feedback_cos or {}).get(item, c)),
            "fb_lex": fb_rel.get(item, 0.0),
            "minilm": float((minilm or {}).get(item, 0.0)) if en_pair else 0.0,
            "en_pair": en_pair,
            "fused": float((fused or {}).get(item, 0.0)),
        })
    return out


@dataclass(frozen=True)
class Calibration:
    """A fitted logistic regression over standardised features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    about: dict

    def logits(self, rows: list[Mapping[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = np.array([[float(r.get(f, 0.0)) for f in self.features] for r in rows], dtype=np.float64)
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.coef) + self.intercept

    def probabilities(self, rows: list[Mapping[str, float]]) -> np.ndarray:
        """P(relevant) of each row of features."""
        return 1.0 / (1.0 + np.exp(-self.logits(rows)))

    def probability(self, row: Mapping[str, float]) -> float:
        return float(self.probabilities([row])[0])

    def to_json(self) -> str:
        return json.dumps({"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                           "coef": list(self.coef), "intercept": self.intercept, "about": self.about},
                          indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> "Calibration":
        names = tuple(data["features"])
        unknown = set(names) - set(FEATURES)
        if unknown:
            raise ValueError(f"calibration uses unknown features {sorted(unknown)}")
        lengths = {len(data["mean"]), len(data["scale"]), len(data["coef"])}
        if lengths != {len(names)}:
            raise ValueError("calibration: features, mean, scale and coef differ in length")
        if any(not math.isfinite(v) for v in (*data["coef"], data["intercept"])):
            raise ValueError("calibration: coefficients must be finite")
        return cls(names, tuple(map(float, data["mean"])), tuple(float(s) or 1.0 for s in data["scale"]),
                   tuple(map(float, data["coef"])), float(data["intercept"]), dict(data.get("about") or {}))


def load(path: Path = DEFAULT_PATH) -> Calibration | None:
    """The fitted model at path, or None when there is none yet."""
    if not path.exists():
        return None
    return Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=4)
def cached(path: Path = DEFAULT_PATH) -> Calibration | None:
    return load(path)


#: Lower bounds of the words a calibrated score is shown with (codes; pages translate them).
BANDS = ((0.5, "likely"), (0.2, "possible"), (0.05, "worth_a_look"))


def band(score: float | None) -> str | None:
    """'likely', 'possible', 'worth_a_look' or 'weak' for a calibrated score; None without one."""
    if score is None:
        return None
    for bound, code in BANDS:
        if score >= bound:
            return code
    return "weak"
