"""Domain dictionary, stopwords and the jieba segmenter shared by the lexical and explanation code.

Two word lists keep terms out: `stopwords()` (data/stopwords.txt; its English part is the lexical index's
stopword list, so editing it changes BM25 rankings) and `common_words()`, which only the explanations use:
the maintained Chinese and English lists of stopwords-iso, stopwords.txt and the domain filler words of
data/filler_words.txt (采用, 完成, manufacturer, joint, project), minus every domain term."""

import logging
import re
import threading
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"
DOMAIN_TERMS_PATH = _DATA / "domain_terms.txt"
STOPWORDS_PATH = _DATA / "stopwords.txt"
FILLER_WORDS_PATH = _DATA / "filler_words.txt"

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RE = re.compile(f"[{_HAN}]")
HAN_RUN_RE = re.compile(f"[{_HAN}]+")

# Words of jieba's default dictionary that cut domain terms wrongly (风电滚子 -> 风 / 电滚子).
_BAD_WORDS = ("电滚子",)

_lock = threading.Lock()
_segmenter = None


def _read_lines(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@cache
def domain_entries() -> tuple[tuple[str, int, str], ...]:
    """The domain dictionary as (term, frequency floor, jieba tag) rows, in file order."""
    rows = []
    for line in _read_lines(DOMAIN_TERMS_PATH):
        parts = line.split()
        term = parts[0]
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 3000
        tag = parts[2] if len(parts) > 2 else "nz"
        rows.append((term, freq, tag))
    return tuple(rows)


@cache
def domain_terms() -> frozenset[str]:
    """Every domain term, lower-cased (so 'RV减速器' is found as 'rv减速器' too)."""
    return frozenset(t.lower() for t, _, _ in domain_entries())


@cache
def stopwords() -> frozenset[str]:
    """Chinese and English words that are never key terms (lower-case)."""
    words: set[str] = set()
    for line in _read_lines(STOPWORDS_PATH):
        words.update(w.lower() for w in line.split())
    return frozenset(words)


@cache
def english_stopwords() -> frozenset[str]:
    """The ASCII part of the stopword list."""
    return frozenset(w for w in stopwords() if w.isascii())


@cache
def filler_words() -> frozenset[str]:
    """Words of this domain's postings that say nothing about a match (lower-case; explanations only)."""
    words: set[str] = set()
    for line in _read_lines(FILLER_WORDS_PATH):
        words.update(w.lower() for w in line.split())
    return frozenset(words)


@cache
def common_words() -> frozenset[str]:
    """Words an explanation never names as shared: stopwords-iso (zh, en), stopwords() and filler_words(),
    except the domain terms (lower-case)."""
    import stopwordsiso

    maintained = {w.lower() for w in stopwordsiso.stopwords(["zh", "en"])}
    return frozenset((maintained | stopwords() | filler_words()) - domain_terms())


def segmenter():
    """The process-wide jieba tokenizer with the domain dictionary loaded (built once, thread-safe)."""
    global _segmenter
    if _segmenter is not None:
        return _segmenter
    with _lock:
        if _segmenter is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            for word in _BAD_WORDS:
                tok.del_word(word)
            entries = [
                (t, f, g) for term, f, g in domain_entries() for t in dict.fromkeys((term, term.lower()))
            ]
            for term, floor, tag in entries:
                tok.add_word(term, max(floor, tok.FREQ.get(term, 0)), tag)
            # A term must come out whole on its own; raise its frequency where the floor is not enough.
            for term, _, _ in entries:
                if tok.lcut(term, HMM=False) != [term]:
                    tok.suggest_freq(term, tune=True)
            _segmenter = tok
    return _segmenter


def cut(text: str) -> list[str]:
    """jieba words (accurate mode, HMM on) of text, with the domain dictionary."""
    return segmenter().lcut(text)


def cut_for_search(text: str) -> list[str]:
    """jieba search-mode words: each word plus its dictionary sub-words."""
    return list(segmenter().cut_for_search(text))


def is_han(text: str) -> bool:
    """True if text contains at least one Chinese character."""
    return HAN_RE.search(text) is not None
