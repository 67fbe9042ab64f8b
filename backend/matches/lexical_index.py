"""The impact-ordered lexical index beside each posting table, kept in step by database triggers.

For every posting with a lexical tsvector, ``<kind>_terms`` holds one row per lexeme (Chinese single
characters excepted: their bigrams carry them) with the lexeme's BM25 term weight in that posting, the
*impact* ``tf x (k1 + 1) / (tf + k1 x (1 - b + b x dl / 150))`` (dl = distinct lexemes, 150 a fixed
reference length, so a row never changes when others come and go). Read through its primary key
``(term, impact, posting)`` backwards, a term's best postings come first, and a query reads a few hundred
rows per term instead of every posting holding it. ``<kind>_term_stats`` holds every lexeme's document
frequency (single characters included), and ``lexical_collections`` each table's posting count and total
length: the collection statistics of exact BM25, read in one index probe per term.

Triggers on ``capabilities`` and ``needs`` (migration 0011) keep all three in step with the ``lexical``
column on every insert, update of ``lexical`` and delete, whatever path wrote it (services, bulk import,
reindex, raw SQL). Collection statistics count every posting with a lexical index, drafts and retired ones
included, as a search engine's do. Writers of postings lock the counters of their terms until commit, in
term order (no deadlock), so concurrent saves of postings queue for a moment; postings are written rarely.
``rebuild`` recomputes everything from the tsvectors (after a bulk load with the triggers disabled).
"""

from dataclasses import dataclass

from sqlalchemy import REAL, BigInteger, Column, Integer, Table, Text, text
from sqlalchemy.orm import Session

from backend.base import Base

#: The reference document length (distinct lexemes) of the stored impacts; exact rescoring uses the real one.
REFERENCE_LENGTH = 150
#: Lexemes without an impact row: one Chinese character (as matching.lexical's Han ranges).
HAN_CHARACTER = "^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$"

def _impacts(name: str, posting: str) -> Table:
    return Table(name, Base.metadata, Column("term", Text, primary_key=True),
                 Column("impact", REAL, primary_key=True), Column(posting, BigInteger, primary_key=True))


def _frequencies(name: str) -> Table:
    return Table(name, Base.metadata, Column("term", Text, primary_key=True), Column("df", Integer, nullable=False))


capability_terms = _impacts("capability_terms", "capability_id")
need_terms = _impacts("need_terms", "need_id")
capability_term_stats = _frequencies("capability_term_stats")
need_term_stats = _frequencies("need_term_stats")
lexical_collections = Table(
    "lexical_collections", Base.metadata,
    Column("name", Text, primary_key=True),
    Column("documents", BigInteger, nullable=False),
    Column("length_sum", BigInteger, nullable=False),
)


@dataclass(frozen=True)
class Collection:
    """The SQL names of one posting table's lexical index."""

    table: str  # the posting table
    terms: str  # its impact postings
    stats: str  # its document frequencies
    posting: str  # the posting id column of `terms`


COLLECTIONS = {
    "capabilities": Collection("capabilities", "capability_terms", "capability_term_stats", "capability_id"),
    "needs": Collection("needs", "need_terms", "need_term_stats", "need_id"),
}


def of(table: str) -> Collection:
    return COLLECTIONS[table]


def statistics(session: Session, table: str, terms: list[str]) -> tuple[dict[str, int], int, float]:
    """(df of each term found, documents, average length) of a posting table's lexical collection."""
    c = of(table)
    rows = session.execute(text(
        f"SELECT term, df, NULL::bigint AS length_sum FROM {c.stats} WHERE term = ANY(CAST(:terms AS text[])) "
        "AND df > 0 UNION ALL SELECT NULL, documents, length_sum FROM lexical_collections WHERE name = :name"),
        {"terms": terms, "name": table}).all()
    df = {r.term: int(r.df) for r in rows if r.term is not None}
    total = next((r for r in rows if r.term is None), None)
    documents, length_sum = (int(total.df), int(total.length_sum)) if total else (0, 0)
    return df, documents, max(length_sum / documents, 1.0) if documents else 1.0


def rebuild_sql(table: str) -> list[str]:
    """Statements recomputing a table's impact postings, document frequencies and totals from its tsvectors."""
    c = of(table)
    return [
        f"TRUNCATE {c.terms}, {c.stats}",
        f"DELETE FROM lexical_collections WHERE name = '{c.table}'",
        f"ALTER TABLE {c.terms} DROP CONSTRAINT pk_{c.terms}",
        f"INSERT INTO {c.terms} (term, impact, {c.posting}) "
        f"SELECT u.lexeme, lexical_impact(cardinality(u.positions), length(d.lexical)), d.id "
        f"FROM {c.table} AS d CROSS JOIN LATERAL unnest(d.lexical) AS u "
        f"WHERE d.lexical IS NOT NULL AND u.lexeme !~ '{HAN_CHARACTER}'",
        f"ALTER TABLE {c.terms} ADD CONSTRAINT pk_{c.terms} PRIMARY KEY (term, impact, {c.posting})",
        f"INSERT INTO {c.stats} (term, df) SELECT u.lexeme, count(*) FROM {c.table} AS d "
        f"CROSS JOIN LATERAL unnest(d.lexical) AS u WHERE d.lexical IS NOT NULL GROUP BY u.lexeme",
        f"INSERT INTO lexical_collections (name, documents, length_sum) SELECT '{c.table}', count(*), "
        f"coalesce(sum(length(lexical)), 0) FROM {c.table} WHERE lexical IS NOT NULL",
        f"ANALYZE {c.terms}",
        f"ANALYZE {c.stats}",
    ]


def rebuild(session: Session, table: str) -> None:
    """Recompute a posting table's lexical index from its tsvectors (holds its lock until commit)."""
    for statement in rebuild_sql(table):
        session.execute(text(statement))


__all__ = ["COLLECTIONS", "Collection", "capability_term_stats", "capability_terms", "lexical_collections",
           "need_term_stats", "need_terms", "of", "rebuild", "rebuild_sql", "statistics"]
