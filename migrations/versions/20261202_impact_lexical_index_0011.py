"""Impact-ordered lexical index beside capabilities and needs, kept in step by triggers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:40:00

See backend/matches/lexical_index.py: ``<kind>_terms`` (term, impact, posting) read backwards by term,
``<kind>_term_stats`` (term, df) and ``lexical_collections`` (posting count and total length per table),
all derived from the ``lexical`` tsvector by the triggers below and filled here from the existing rows.
"""
from collections.abc import Sequence

import pgvector.sqlalchemy  # noqa: F401  (autogenerate writes pgvector.sqlalchemy.Vector)
import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (posting table, impact postings, document frequencies, posting id column)
COLLECTIONS = (("capabilities", "capability_terms", "capability_term_stats", "capability_id"),
               ("needs", "need_terms", "need_term_stats", "need_id"))
HAN_CHARACTER = "^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$"

# BM25's term weight with k1 = 1.2, b = 0.75 and a fixed reference length of 150 distinct lexemes.
IMPACT = """
CREATE FUNCTION lexical_impact(tf integer, dl integer) RETURNS real
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (coalesce(tf, 1) * 2.2 / (coalesce(tf, 1) + 1.2 * (0.25 + 0.75 * dl / 150.0)))::real
"""


def _functions(table: str, terms: str, stats: str, posting: str) -> list[str]:
    # Rows of a tsvector as (lexeme, +1/-1) document-frequency changes are applied in lexeme order, so two
    # writers lock shared counters in the same order.
    add_terms = (f"INSERT INTO {terms} (term, impact, {posting}) "
                 "SELECT u.lexeme, lexical_impact(cardinality(u.positions), length(r.lexical)), r.id "
                 "FROM {rows} AS r CROSS JOIN LATERAL unnest(r.lexical) AS u "
                 f"WHERE r.lexical IS NOT NULL AND u.lexeme !~ '{HAN_CHARACTER}'")
    count = (f"INSERT INTO {stats} AS s (term, df) SELECT lexeme, sum(change) FROM ({{changes}}) AS c "
             "GROUP BY lexeme HAVING sum(change) <> 0 ORDER BY lexeme "
             "ON CONFLICT (term) DO UPDATE SET df = s.df + EXCLUDED.df")
    total = ("INSERT INTO lexical_collections AS t (name, documents, length_sum) "
             f"SELECT '{table}', sum(n), sum(len) FROM ({{changes}}) AS c HAVING sum(n) <> 0 OR sum(len) <> 0 "
             "ON CONFLICT (name) DO UPDATE SET documents = t.documents + EXCLUDED.documents, "
             "length_sum = t.length_sum + EXCLUDED.length_sum")
    new_changes = "SELECT u.lexeme, 1 AS change FROM new_rows AS r CROSS JOIN LATERAL unnest(r.lexical) AS u"
    new_total = "SELECT count(*) AS n, coalesce(sum(length(lexical)), 0) AS len FROM new_rows WHERE lexical IS NOT NULL"
    one_changes = ("SELECT lexeme, -1 AS change FROM unnest(OLD.lexical) UNION ALL "
                   "SELECT lexeme, 1 FROM unnest(NEW.lexical)")
    one_total = ("SELECT -(OLD.lexical IS NOT NULL)::int AS n, -coalesce(length(OLD.lexical), 0) AS len "
                 "UNION ALL SELECT (NEW.lexical IS NOT NULL)::int, coalesce(length(NEW.lexical), 0)")
    old_changes = "SELECT lexeme, -1 AS change FROM unnest(OLD.lexical)"
    old_total = "SELECT -1 AS n, -length(OLD.lexical) AS len"
    drop_old = (f"DELETE FROM {terms} AS t USING unnest(OLD.lexical) AS u WHERE t.term = u.lexeme "
                "AND t.impact = lexical_impact(cardinality(u.positions), length(OLD.lexical)) "
                f"AND t.{posting} = OLD.id")
    add_new = (f"INSERT INTO {terms} (term, impact, {posting}) "
               "SELECT u.lexeme, lexical_impact(cardinality(u.positions), length(NEW.lexical)), NEW.id "
               f"FROM unnest(NEW.lexical) AS u WHERE NEW.lexical IS NOT NULL AND u.lexeme !~ '{HAN_CHARACTER}'")
    return [
        f"""CREATE FUNCTION {table}_lexical_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {add_terms.format(rows="new_rows")};
    {count.format(changes=new_changes)};
    {total.format(changes=new_total)};
    RETURN NULL;
END $$""",
        f"""CREATE FUNCTION {table}_lexical_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        {drop_old};
        {count.format(changes=old_changes)};
        {total.format(changes=old_total)};
    ELSE
        IF OLD.lexical IS NOT NULL THEN
            {drop_old};
        END IF;
        {add_new};
        {count.format(changes=one_changes)};
        {total.format(changes=one_total)};
    END IF;
    RETURN NULL;
END $$""",
        f"""CREATE FUNCTION {table}_lexical_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {terms}, {stats};
    DELETE FROM lexical_collections WHERE name = '{table}';
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER {table}_lexical_inserted AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_lexical_inserted()",
        f"CREATE TRIGGER {table}_lexical_updated AFTER UPDATE OF lexical ON {table} FOR EACH ROW "
        f"WHEN (OLD.lexical IS DISTINCT FROM NEW.lexical) EXECUTE FUNCTION {table}_lexical_changed()",
        f"CREATE TRIGGER {table}_lexical_deleted AFTER DELETE ON {table} FOR EACH ROW "
        f"WHEN (OLD.lexical IS NOT NULL) EXECUTE FUNCTION {table}_lexical_changed()",
        f"CREATE TRIGGER {table}_lexical_truncated AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_lexical_truncated()",
    ]


def upgrade() -> None:
    op.create_table('lexical_collections',
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('documents', sa.BigInteger(), nullable=False),
    sa.Column('length_sum', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_lexical_collections'))
    )
    op.execute(IMPACT)
    for table, terms, stats, posting in COLLECTIONS:
        op.create_table(terms,
        sa.Column('term', sa.Text(), nullable=False),
        sa.Column('impact', sa.REAL(), nullable=False),
        sa.Column(posting, sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('term', 'impact', posting, name=op.f(f'pk_{terms}'))
        )
        op.create_table(stats,
        sa.Column('term', sa.Text(), nullable=False),
        sa.Column('df', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('term', name=op.f(f'pk_{stats}'))
        )
        op.execute(f"INSERT INTO {terms} (term, impact, {posting}) "
                   "SELECT u.lexeme, lexical_impact(cardinality(u.positions), length(d.lexical)), d.id "
                   f"FROM {table} AS d CROSS JOIN LATERAL unnest(d.lexical) AS u "
                   f"WHERE d.lexical IS NOT NULL AND u.lexeme !~ '{HAN_CHARACTER}'")
        op.execute(f"INSERT INTO {stats} (term, df) SELECT u.lexeme, count(*) FROM {table} AS d "
                   "CROSS JOIN LATERAL unnest(d.lexical) AS u WHERE d.lexical IS NOT NULL GROUP BY u.lexeme")
        op.execute(f"INSERT INTO lexical_collections (name, documents, length_sum) SELECT '{table}', count(*), "
                   f"coalesce(sum(length(lexical)), 0) FROM {table} WHERE lexical IS NOT NULL")
        for statement in _functions(table, terms, stats, posting):
            op.execute(statement)


def downgrade() -> None:
    for table, terms, stats, _posting in reversed(COLLECTIONS):
        for trigger in ("inserted", "updated", "deleted", "truncated"):
            op.execute(f"DROP TRIGGER {table}_lexical_{trigger} ON {table}")
        for function in ("inserted", "changed", "truncated"):
            op.execute(f"DROP FUNCTION {table}_lexical_{function}()")
        op.drop_table(stats)
        op.drop_table(terms)
    op.execute("DROP FUNCTION lexical_impact(integer, integer)")
    op.drop_table('lexical_collections')
