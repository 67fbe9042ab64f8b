"""The schema is built by Alembic only, and models and migrations cannot drift."""

from sqlalchemy import create_engine, inspect, text

from backend import migrate


def test_upgrade_builds_an_empty_database_with_extensions_and_indexes(scratch_url):
    migrate.upgrade(scratch_url)
    engine = create_engine(scratch_url)
    with engine.connect() as conn:
        extensions = set(conn.scalars(text("SELECT extname FROM pg_extension")))
        hnsw = conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexdef ILIKE '%USING hnsw%'"
        )).all()
        regions = conn.scalar(text("SELECT count(*) FROM regions WHERE code LIKE '3306%'"))
        gin = dict(conn.execute(text(
            "SELECT c.relname, coalesce(array_to_string(c.reloptions, ','), '') FROM pg_class c "
            "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'gin' AND c.relname LIKE 'ix_%'"
        )).all())
    engine.dispose()
    assert {"vector", "pg_trgm"} <= extensions
    assert {name for name, _ in hnsw} >= {"ix_needs_embedding_hnsw", "ix_capabilities_embedding_hnsw"}
    assert all("vector_cosine_ops" in d for _, d in hnsw)
    assert regions == 7  # Shaoxing and its six districts
    # Postings' GIN indexes keep no pending list, which every search would otherwise read in full.
    assert {"ix_needs_lexical_gin", "ix_capabilities_lexical_gin", "ix_capabilities_title_trgm"} <= set(gin)
    assert all(options == "fastupdate=off" for options in gin.values()), gin


def test_alembic_check_finds_no_drift(database_url):
    migrate.check(database_url)


def test_downgrade_to_base_and_back(scratch_url):
    migrate.upgrade(scratch_url)
    from alembic import command

    command.downgrade(migrate.alembic_config(scratch_url), "base")
    engine = create_engine(scratch_url)
    assert "needs" not in inspect(engine).get_table_names()
    engine.dispose()
    migrate.upgrade(scratch_url)
    engine = create_engine(scratch_url)
    assert "needs" in inspect(engine).get_table_names()
    engine.dispose()
