"""Chinese-aware lexical tokens for a PostgreSQL tsvector ('simple', GIN) and BM25 scoring.

Tokens are built in Python and stored as a literal tsvector, so PostgreSQL never parses the text:
- English (any run without Chinese characters): lower-cased words of letters and digits, minus stopwords,
  with plural s stripped (bearings -> bearing; +0.02 nDCG@10 on scifact dev);
- Chinese: character unigrams and bigrams of every run of Chinese characters ("chars"). Measured with
  ``python -m backend.bench.lexbench`` against jieba words with the domain dictionary ("jieba") and both
  together ("both"): chars ranks best under BM25 on csl_zh and needs no segmenter at index time.

Ranking: PostgreSQL's ts_rank/ts_rank_cd have no inverse document frequency and lose clearly to BM25 on
both benchmarks, so the product ranks with exact BM25 computed inside PostgreSQL over the GIN candidates
(``bm25_sql``); ``bm25_rank`` computes the same numbers in Python.
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Literal

from matching import terms as _terms
from matching.terms import HAN_RE, HAN_RUN_RE

ChineseMode = Literal["chars", "jieba", "both"]

#: The Chinese tokenization the product uses (see the module docstring and backend.bench.lexbench).
CHINESE_MODE: ChineseMode = "chars"

#: PostgreSQL limits (tsearch/ts_type.h): a lexeme is < 2 KB, positions are 1..16383 and at most 256 of
#: them are kept per lexeme, a tsvector's lexemes and positions together stay under 1 MB.
MAX_LEXEME_BYTES = 2046
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
MAX_TSVECTOR_BYTES = 1_000_000
#: An OR query over thousands of lexemes is slow and adds little: a long text is searched with its first
#: 256 distinct tokens, Chinese bigrams and English words before Chinese single characters.
MAX_QUERY_TERMS = 256

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD_RE = re.compile(rf"[^\W_{_HAN}]+")
# A run of letters, digits and Chinese characters ("RV减速器"), between spaces and punctuation.
_RUN_RE = re.compile(r"[^\W_]+")
# Chinese function characters: too common to be worth a unigram.
_HAN_FUNCTION_CHARS = frozenset("的了和与及或等在对为是之其以于而也就都并且这那个们中上下从把被将")


def detect_language(text: str | None) -> Literal["zh", "en"]:
    """'zh' when Chinese characters carry a notable share of the text, else 'en'.

    A Chinese character counts as three Latin letters (about one syllable); the text is Chinese when
    that weighted share is at least 25 %, so a Chinese need quoting English model names stays 'zh' and
    an English abstract mentioning 风电 once stays 'en'.
    """
    if not text:
        return "en"
    han = len(HAN_RE.findall(text))
    if not han:
        return "en"
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if 3 * han >= 0.25 * (3 * han + latin) else "en"


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def stem_english(word: str) -> str:
    """Strip a plural ending: bearings -> bearing, studies -> study; leaves -ss, -us, -is words alone."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _english_words(text: str) -> list[str]:
    stop = _terms.english_stopwords()
    return [stem_english(w) for w in _WORD_RE.findall(text) if w not in stop and (len(w) > 1 or w.isdigit())]


def _han_chars(run: str, unigrams: bool) -> list[str]:
    out: list[str] = []
    for i, ch in enumerate(run):
        if unigrams and ch not in _HAN_FUNCTION_CHARS:
            out.append(ch)
        if i + 1 < len(run):
            out.append(run[i : i + 2])
    if not unigrams and len(run) == 1 and run not in _HAN_FUNCTION_CHARS:
        out.append(run)
    return out


def _mixed_run_chars(run: str, unigrams: bool) -> list[str]:
    out: list[str] = []
    pos = 0
    for m in HAN_RUN_RE.finditer(run):
        out.extend(_english_words(run[pos : m.start()]))
        out.extend(_han_chars(m.group(), unigrams))
        pos = m.end()
    out.extend(_english_words(run[pos:]))
    return out


def _mixed_run_jieba(run: str) -> list[str]:
    out: list[str] = []
    for word in _terms.cut_for_search(run):
        if HAN_RE.search(word):
            if not (len(word) == 1 and word in _HAN_FUNCTION_CHARS):
                out.append(word)
        else:
            out.extend(_english_words(word))
    return out


def _mixed_run_both(run: str, unigrams: bool) -> list[str]:
    out = _mixed_run_chars(run, unigrams)
    # Bigrams already cover two-character words; add the longer dictionary words for precision.
    out.extend(w for w in _terms.cut_for_search(run) if len(w) >= 3 and HAN_RE.search(w))
    return out


def _tokens(text: str | None, mode: ChineseMode, unigrams: bool) -> list[str]:
    out: list[str] = []
    for m in _RUN_RE.finditer(_normalise(text or "")):
        run = m.group()
        if not HAN_RE.search(run):
            out.extend(_english_words(run))
        elif mode == "chars":
            out.extend(_mixed_run_chars(run, unigrams))
        elif mode == "jieba":
            out.extend(_mixed_run_jieba(run))
        else:
            out.extend(_mixed_run_both(run, unigrams))
    return out


def index_tokens(text: str | None, *, mode: ChineseMode | None = None) -> list[str]:
    """The lexical tokens a posting is indexed with, in text order (duplicates kept, for tf and positions)."""
    return _tokens(text, mode or CHINESE_MODE, unigrams=True)


def query_tokens(
    text: str | None, *, mode: ChineseMode | None = None, max_terms: int = MAX_QUERY_TERMS
) -> list[str]:
    """The distinct lexical tokens a posting is searched with, in first-occurrence order, at most max_terms.

    When a long text has more, Chinese single characters are dropped first (bigrams carry them).
    """
    tokens = list(dict.fromkeys(_tokens(text, mode or CHINESE_MODE, unigrams=True)))
    if len(tokens) > max_terms:
        tokens = [t for t in tokens if not (len(t) == 1 and HAN_RE.match(t))] or tokens
    return tokens[:max_terms]


def _clip_lexeme(token: str) -> str:
    token = token.replace("\x00", "")
    raw = token.encode("utf-8")
    if len(raw) <= MAX_LEXEME_BYTES:
        return token
    return raw[:MAX_LEXEME_BYTES].decode("utf-8", errors="ignore")


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: Iterable[str]) -> str:
    """A tsvector literal with positions for ``CAST(:lit AS tsvector)``; always within PostgreSQL's limits.

    The i-th token gets position i + 1 (the last positions all collapse to 16383); each lexeme keeps at
    most 256 positions; lexemes are cut to 2046 UTF-8 bytes; tokens that would take the tsvector past
    1 MB (counted as PostgreSQL does: even-padded lexeme bytes + 2 bytes a position + 2) are dropped.
    The literal needs no SQL escaping when passed as a bound parameter.
    """
    positions: dict[str, list[int]] = {}
    size = 0
    for i, token in enumerate(tokens):
        lexeme = _clip_lexeme(token)
        if not lexeme:
            continue
        pos = min(i + 1, MAX_POSITION)
        seen = positions.get(lexeme)
        if seen is None:
            n = len(lexeme.encode("utf-8"))
            cost = n + (n & 1) + 4
            if size + cost > MAX_TSVECTOR_BYTES:
                continue
            size += cost
            positions[lexeme] = [pos]
        elif len(seen) < MAX_POSITIONS_PER_LEXEME and seen[-1] != pos and size + 2 <= MAX_TSVECTOR_BYTES:
            size += 2
            seen.append(pos)
    return " ".join(f"{_quote(lx)}:{','.join(map(str, ps))}" for lx, ps in positions.items())


def tsquery_literal(
    tokens: Iterable[str], op: Literal["|", "&"] = "|", max_terms: int = MAX_QUERY_TERMS
) -> str | None:
    """A tsquery literal joining the distinct tokens with op, for ``CAST(:q AS tsquery)``; None if empty."""
    if op not in ("|", "&"):
        raise ValueError(f"op must be '|' or '&', not {op!r}")
    lexemes = list(dict.fromkeys(lx for lx in map(_clip_lexeme, tokens) if lx))[:max_terms]
    if not lexemes:
        return None
    return f" {op} ".join(_quote(lx) for lx in lexemes)


def search_terms(tokens: Iterable[str], max_terms: int = MAX_QUERY_TERMS) -> list[str]:
    """The distinct lexemes a query is made of, exactly as ``tsquery_literal`` writes them (for bm25_sql)."""
    return list(dict.fromkeys(lx for lx in map(_clip_lexeme, tokens) if lx))[:max_terms]


# --- BM25 -------------------------------------------------------------------------------------------

BM25_K1 = 1.2
BM25_B = 0.75


def bm25_idf(df: int, n_docs: int) -> float:
    """BM25 inverse document frequency (the non-negative Lucene form)."""
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def bm25_score(
    query_terms: Iterable[str],
    doc_tf: Mapping[str, int],
    doc_len: float,
    df: Mapping[str, int],
    n_docs: int,
    avg_len: float,
    k1: float = BM25_K1,
    b: float = BM25_B,
) -> float:
    """BM25 of one document for the distinct query terms (a repeated query term counts once)."""
    norm = k1 * (1.0 - b + b * doc_len / (avg_len or 1.0))
    score = 0.0
    for term in dict.fromkeys(query_terms):
        tf = doc_tf.get(term, 0)
        if tf:
            score += bm25_idf(df.get(term, 1), n_docs) * tf * (k1 + 1.0) / (tf + norm)
    return score


def bm25_rank(
    query_terms: Iterable[str],
    candidates: Iterable[tuple[str, Mapping[str, int], float]],
    df: Mapping[str, int],
    n_docs: int,
    avg_len: float,
    limit: int | None = None,
) -> list[tuple[str, float]]:
    """Rank (id, term frequencies, length) candidates by BM25, best first; ties by id."""
    q = list(dict.fromkeys(query_terms))
    scored = [(doc_id, bm25_score(q, tf, dl, df, n_docs, avg_len)) for doc_id, tf, dl in candidates]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit] if limit is not None else scored


def feedback_terms_sql(table: str, *, id_column: str = "id", lex_column: str = "lex",
                       stats_table: str | None = None) -> str:
    """Candidate expansion terms from feedback documents: rows (lexeme, p, df, n), best p first.

    Bind :ids (the feedback documents), :weights (float8[], each document's share, e.g. its first-pass
    score), :exclude (text[], the query's own lexemes) and :pool. p = sum over the documents of
    weight x tf / length (the relevance model of RM3); df and n come from the whole table (one GIN probe
    per candidate term), for an idf that keeps common characters out. Single Han characters are never
    candidates (their bigrams carry them), nor numbers. With ``stats_table`` (a (term, df) table kept in
    step with ``table``, and its row count in lexical_collections), df and n are read there instead.
    """
    if stats_table:
        df = f"coalesce((SELECT s.df FROM {stats_table} AS s WHERE s.term = rel.lexeme), 0)::float8"
        n = f"(SELECT c.documents FROM lexical_collections AS c WHERE c.name = '{table}')::float8"
    else:
        df = (f"(SELECT count(*) FROM {table} AS c\n        "
              f"WHERE c.{lex_column} @@ CAST(quote_literal(rel.lexeme) AS tsquery))::float8")
        n = f"(SELECT count(*) FROM {table} AS c WHERE c.{lex_column} IS NOT NULL)::float8"
    return f"""
WITH fb AS (
    SELECT f.w, u.lexeme, cardinality(u.positions)::float8 AS tf,
           sum(cardinality(u.positions)) OVER (PARTITION BY d.{id_column})::float8 AS dl
    FROM unnest(CAST(:ids AS bigint[]), CAST(:weights AS float8[])) AS f(id, w)
    JOIN {table} AS d ON d.{id_column} = f.id
    CROSS JOIN LATERAL unnest(d.{lex_column}) AS u
),
rel AS (
    SELECT lexeme, sum(w * tf / dl) / (SELECT sum(w) FROM unnest(CAST(:weights AS float8[])) AS x(w)) AS p
    FROM fb
    WHERE NOT (lexeme = ANY(CAST(:exclude AS text[]))) AND NOT (lexeme ~ '^[{_HAN}]$')
      AND lexeme !~ '^[0-9.]+$' AND strpos(lexeme, chr(92)) = 0 AND strpos(lexeme, chr(39)) = 0
    GROUP BY lexeme ORDER BY p DESC, lexeme LIMIT :pool
)
SELECT rel.lexeme, rel.p, {df} AS df, {n} AS n
FROM rel ORDER BY rel.p DESC, rel.lexeme
"""


def expansion_terms(rows: Iterable, count: int) -> list[tuple[str, float]]:
    """The `count` best (lexeme, weight) of feedback_terms_sql rows: p x BM25 idf, scaled so the best is 1."""
    scored = [(r[0], float(r[1]) * bm25_idf(int(r[2]), int(r[3]))) for r in rows if r[2]]
    scored = sorted((t for t in scored if t[1] > 0), key=lambda t: (-t[1], t[0]))[:count]
    top = scored[0][1] if scored else 1.0
    return [(lexeme, w / top) for lexeme, w in scored]


def term_frequencies(tokens: Iterable[str]) -> Counter:
    """Term frequencies of index tokens, as PostgreSQL keeps them (capped at 256 positions per lexeme)."""
    tf = Counter(lx for lx in map(_clip_lexeme, tokens) if lx)
    return Counter({t: min(n, MAX_POSITIONS_PER_LEXEME) for t, n in tf.items()})


def bm25_sql(
    table: str,
    *,
    id_column: str = "id",
    lex_column: str = "lex",
    length: str | None = None,
    where: str = "",
    k1: float = BM25_K1,
    b: float = BM25_B,
    weighted: bool = False,
    with_stats: bool = False,
) -> str:
    """Exact BM25 over the GIN candidates of an OR tsquery, in one statement; rows (id, score), best first.

    With ``with_stats``, each row also carries the collection statistics the scores came from:
    ``df_terms`` / ``df_values`` (the document frequency of every query term found) and ``n`` / ``avg_dl``,
    for bm25_more_sql.

    With ``weighted``, also bind :weights (float8[], one per term of :terms): each term's contribution is
    multiplied by its weight, as for a query expanded with feedback terms.

    Bind :tsq = tsquery_literal(tokens), :terms = search_terms(tokens) (a text[]) and :limit, with the
    tokens from query_tokens(). ``length`` is the SQL for a row's document length (columns of the row are
    ``d.<name>``); the default ``length(d.<lex_column>)`` counts distinct lexemes, which ranks as well as
    the token count (csl_zh, scifact_en), so no extra column is needed. ``where`` adds SQL conditions on
    ``d`` (e.g. "d.status = 'open'"); they define the collection, so N, df and the average length are
    computed over the rows they keep.

    - Document frequencies come from the candidates themselves: every row holding a query term matches the
      OR query, so counting a term over the candidates gives its exact df; no statistics table.
    - setweight(lex, 'A', terms) + ts_filter(.., '{a}') keep only the query lexemes before unnest (3x faster
      than unnesting whole documents); tf = the lexeme's number of positions (PostgreSQL keeps <= 256).
    - float8 arithmetic throughout (numeric is twice as slow in the aggregate).
    """
    return _bm25_statement(table, id_column, lex_column, length, where, k1, b, weighted=weighted,
                           with_stats=with_stats)


def bm25_more_sql(
    table: str,
    *,
    id_column: str = "id",
    lex_column: str = "lex",
    length: str | None = None,
    where: str = "",
    k1: float = BM25_K1,
    b: float = BM25_B,
) -> str:
    """Weighted BM25 of a query grown by new terms, reusing the first pass's statistics; rows (id, score).

    The score of a document is its first-pass score plus what the new terms add, so only two kinds of
    document can enter the new top-k: those holding a new term, and the first pass's own top-k (every
    other document keeps a score below all of those). This statement scores exactly those, over all the
    terms, instead of every document holding any term again (most of the table for a Chinese query).

    Bind :tsq = tsquery_literal(new terms), :also (bigint[], the first pass's top-k), :terms and :weights
    (all terms, old and new, and their weights), :known and :known_df (the first pass's df_terms and
    df_values), :n and :avg_dl (its n and avg_dl) and :limit. New terms' df are counted over the
    candidates, which hold every document holding a new term. ``where`` must be the first pass's.
    """
    return _bm25_statement(table, id_column, lex_column, length, where, k1, b, weighted=True, more=True)


def _bm25_statement(table: str, id_column: str, lex_column: str, length: str | None, where: str, k1: float,
                    b: float, *, weighted: bool, with_stats: bool = False, more: bool = False) -> str:
    """The one BM25 statement behind bm25_sql (statistics computed) and bm25_more_sql (statistics given)."""
    dl = length or f"length(d.{lex_column})"
    extra = f" AND ({where})" if where else ""
    matches = f"d.{lex_column} @@ CAST(:tsq AS tsquery)"
    if more:
        matches = f"({matches} OR d.{id_column} = ANY(CAST(:also AS bigint[])))"
        dfs = ("SELECT lexeme, count(*)::float8 AS df FROM m WHERE NOT (lexeme = ANY(CAST(:known AS text[])))"
               " GROUP BY lexeme\n    UNION ALL\n"
               "    SELECT * FROM unnest(CAST(:known AS text[]), CAST(:known_df AS float8[]))")
        stats = "SELECT CAST(:n AS float8) AS n, CAST(:avg_dl AS float8) AS avg_dl"
    else:
        dfs = "SELECT lexeme, count(*)::float8 AS df FROM m GROUP BY lexeme"
        stats = (f"SELECT count(*)::float8 AS n, greatest(avg({dl}), 1)::float8 AS avg_dl\n"
                 f"    FROM {table} AS d WHERE d.{lex_column} IS NOT NULL{extra}")
    weight, weights = ((" * w.weight", " JOIN unnest(CAST(:terms AS text[]), CAST(:weights AS float8[]))"
                        " AS w(lexeme, weight) USING (lexeme)") if weighted else ("", ""))
    stats_columns = (",\n       (SELECT array_agg(lexeme ORDER BY lexeme) FROM dfs) AS df_terms,"
                     " (SELECT array_agg(df ORDER BY lexeme) FROM dfs) AS df_values,"
                     "\n       (SELECT n FROM stats) AS n, (SELECT avg_dl FROM stats) AS avg_dl") if with_stats else ""
    return f"""
WITH m AS (
    SELECT d.{id_column} AS id, ({dl})::float8 AS dl, u.lexeme, cardinality(u.positions)::float8 AS tf
    FROM {table} AS d
    CROSS JOIN LATERAL unnest(ts_filter(setweight(d.{lex_column}, 'A', CAST(:terms AS text[])), '{{a}}')) AS u
    WHERE {matches}{extra}
),
dfs AS (
    {dfs}
),
stats AS (
    {stats}
),
idf AS (
    SELECT dfs.lexeme, ln(1 + (stats.n - dfs.df + 0.5) / (dfs.df + 0.5)){weight} AS idf
    FROM dfs CROSS JOIN stats{weights}
)
SELECT m.id,
       sum(idf.idf * m.tf * {k1 + 1:g} / (m.tf + {k1:g} * ({1 - b:g} + {b:g} * m.dl / stats.avg_dl)))
       AS score{stats_columns}
FROM m JOIN idf USING (lexeme) CROSS JOIN stats
GROUP BY m.id
ORDER BY score DESC, m.id
LIMIT :limit
"""


# --- the fast path: impact-ordered postings, then exact BM25 of the candidates ----------------------------

#: Query pruning for candidate generation (the exact rescoring keeps every query term): terms are taken rarest
#: first while the postings they would read stay within ROW_BUDGET (a term reads at most PER_TERM, its best
#: impacts), none in more than CANDIDATE_MAX_SHARE of the documents (unless fewer than CANDIDATE_MIN_TERMS
#: would be left), Chinese single characters never (a bigram carries them). POOL candidates are rescored.
#: Measured at 100k postings with `matchmaker bench` (docs/scaling.md). In a collection of more than
#: RESCORE_ALL_UP_TO postings, the first pass rescores only the best RESCORE_SHARE of its pool (exact rescoring
#: is about half the pass's time at 100k), and orders the pool by the impact sum plus MATCHED_TERM_BONUS for each
#: candidate term a posting holds: the pool does not see the query's single characters and common terms, which
#: the exact score adds, and a posting holding more of the query's bigrams holds more of their characters (at
#: 100k the exact score exceeds the impact sum by a median 35 at two matched terms, 58 at eleven: about 2.6 more
#: a term). With a bonus of 4, the best half of the pool holds 0.965 of exact BM25's top 10 on the bench's
#: queries, the best three quarters without it 0.973, for a third fewer tsvectors to rescore.
PER_TERM = 800
ROW_BUDGET = 40_000
POOL = 400
RESCORE_ALL_UP_TO = 20_000
RESCORE_SHARE = 0.5
MATCHED_TERM_BONUS = 4.0
CANDIDATE_MAX_SHARE = 0.05
CANDIDATE_MIN_TERMS = 4


def is_han_character(term: str) -> bool:
    return len(term) == 1 and HAN_RE.match(term) is not None


def candidate_terms(terms: Iterable[str], df: Mapping[str, int], n_docs: int, *, per_term: int | None = None,
                    budget: int | None = None, max_share: float | None = None,
                    min_terms: int | None = None) -> list[str]:
    """The query terms worth reading postings for: present in the collection, not a Chinese single character,
    rarest first, while their postings (each at most per_term) fit the row budget; terms in more than
    max_share of the documents only to reach min_terms."""
    per_term = per_term or PER_TERM
    budget = budget or ROW_BUDGET
    max_share = CANDIDATE_MAX_SHARE if max_share is None else max_share
    min_terms = CANDIDATE_MIN_TERMS if min_terms is None else min_terms
    known = sorted((t for t in dict.fromkeys(terms) if df.get(t) and not is_han_character(t)),
                   key=lambda t: (df[t], t))
    out: list[str] = []
    rows = 0
    for term in known:
        cost = min(df[term], per_term)
        common = df[term] > max_share * n_docs
        if len(out) >= min_terms and (common or rows + cost > budget):
            break
        out.append(term)
        rows += cost
    return out


def impact_sql(table: str, terms_table: str, posting_column: str, *, id_column: str = "id",
               lex_column: str = "lex", length: str | None = None, where: str = "", k1: float = BM25_K1,
               b: float = BM25_B) -> str:
    """Exact BM25 of the candidates an impact-ordered postings table gives; rows (id, score, pooled).

    Candidates: for every term of :cterms (text[]) its :per_term best postings of ``terms_table`` (read
    backwards through its key (term, impact, posting)), summed with the weights :cweights (float8[], the
    term's idf x query weight, plus :bonus for every term a posting holds); the :pool best (only the :rescore
    best of them when the pool is full), plus the
    ids of :also (bigint[]), are rescored. Rescoring is exact BM25 over every term of :terms with the weights
    :idf (float8[], idf x query weight), :avg_dl the collection's average length; ``where`` (conditions on
    ``d``) decides which candidates may be returned. ``pooled`` is the number of candidates the postings gave
    (the pool was full when it equals :pool). Each candidate's tsvector is read once (setweight's copy gives
    its length too).
    """
    dl = length or "length(w.marked)"
    extra = f" AND ({where})" if where else ""
    return f"""
WITH q AS (
    SELECT * FROM unnest(CAST(:cterms AS text[]), CAST(:cweights AS float8[])) AS q(term, w)
),
hit AS (
    SELECT p.id, sum(q.w * p.impact + CAST(:bonus AS float8)) AS s
    FROM q CROSS JOIN LATERAL (
        SELECT t.{posting_column} AS id, t.impact FROM {terms_table} AS t
        WHERE t.term = q.term ORDER BY t.impact DESC, t.{posting_column} DESC LIMIT :per_term
    ) AS p
    GROUP BY p.id ORDER BY s DESC, p.id LIMIT :pool
),
candidate AS (
    (SELECT id FROM hit ORDER BY s DESC, id
     LIMIT CASE WHEN (SELECT count(*) FROM hit) >= :pool THEN :rescore ELSE :pool END)
    UNION SELECT unnest(CAST(:also AS bigint[]))
),
doc AS MATERIALIZED (
    SELECT d.{id_column} AS id, ({dl})::float8 AS dl, ts_filter(w.marked, '{{a}}') AS found
    FROM candidate JOIN {table} AS d ON d.{id_column} = candidate.id
    CROSS JOIN LATERAL (SELECT setweight(d.{lex_column}, 'A', CAST(:terms AS text[])) AS marked OFFSET 0) AS w
    WHERE d.{lex_column} IS NOT NULL{extra}
),
m AS (
    SELECT doc.id, doc.dl, u.lexeme, cardinality(u.positions)::float8 AS tf
    FROM doc CROSS JOIN LATERAL unnest(doc.found) AS u
),
idf AS (
    SELECT * FROM unnest(CAST(:terms AS text[]), CAST(:idf AS float8[])) AS idf(lexeme, idf)
)
SELECT m.id,
       sum(idf.idf * m.tf * {k1 + 1:g} / (m.tf + {k1:g} * ({1 - b:g} + {b:g} * m.dl / CAST(:avg_dl AS float8))))
       AS score,
       (SELECT count(*) FROM hit) AS pooled
FROM m JOIN idf USING (lexeme)
GROUP BY m.id
ORDER BY score DESC, m.id
LIMIT :limit
"""


def rescored(pool: int, n_docs: int, also: Iterable[int] = ()) -> int:
    """How many of a pool's best candidates are rescored: all of them in a collection of at most
    RESCORE_ALL_UP_TO postings or in a feedback pass (``also``, the first pass's results), else RESCORE_SHARE."""
    if n_docs <= RESCORE_ALL_UP_TO or list(also):
        return pool
    return max(1, round(pool * RESCORE_SHARE))


def impact_params(terms: list[str], weights: Mapping[str, float], df: Mapping[str, int], n_docs: int,
                  avg_dl: float, candidates: list[str], *, limit: int, also: Iterable[int] = (),
                  per_term: int = PER_TERM, pool: int = POOL) -> dict:
    """The bind parameters of impact_sql: each term's weight is its query weight x BM25 idf."""
    idf = {t: weights.get(t, 1.0) * bm25_idf(df.get(t, 0), n_docs) for t in terms if df.get(t)}
    also = list(also)
    rescore = rescored(pool, n_docs, also)
    return {"cterms": candidates, "cweights": [idf[t] for t in candidates], "terms": list(idf),
            "idf": list(idf.values()), "avg_dl": avg_dl, "also": also, "per_term": per_term, "pool": pool,
            "rescore": rescore, "bonus": MATCHED_TERM_BONUS if rescore < pool else 0.0, "limit": limit}
