"""initial_schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 14:05:50.886029
"""
from collections.abc import Sequence

import pgvector.sqlalchemy  # noqa: F401  (autogenerate writes pgvector.sqlalchemy.Vector)
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


LEDGER_GUARD = """
CREATE FUNCTION collaboration_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'collaboration_events is append-only: % is not allowed', TG_OP;
END $$;
CREATE TRIGGER collaboration_events_append_only
    BEFORE UPDATE OR DELETE ON collaboration_events
    FOR EACH ROW EXECUTE FUNCTION collaboration_events_append_only();
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('industry_chains',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('is_characteristic', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['industry_chains.id'], name=op.f('fk_industry_chains_parent_id_industry_chains')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_industry_chains')),
    sa.UniqueConstraint('code', name=op.f('uq_industry_chains_code'))
    )
    op.create_index(op.f('ix_industry_chains_parent_id'), 'industry_chains', ['parent_id'], unique=False)
    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('level', sa.Enum('country', 'province', 'city', 'district', name='regionlevel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['regions.id'], name=op.f('fk_regions_parent_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('code', name=op.f('uq_regions_code'))
    )
    op.create_index(op.f('ix_regions_parent_id'), 'regions', ['parent_id'], unique=False)
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('firm', 'university', 'institute', 'government', 'foreign_partner', name='orgkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('is_little_giant', sa.Boolean(), nullable=False),
    sa.Column('is_high_tech', sa.Boolean(), nullable=False),
    sa.Column('is_chain_leader', sa.Boolean(), nullable=False),
    sa.Column('is_listed', sa.Boolean(), nullable=False),
    sa.Column('is_verified', sa.Boolean(), nullable=False),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_organisations_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations'))
    )
    op.create_index(op.f('ix_organisations_kind'), 'organisations', ['kind'], unique=False)
    op.create_index(op.f('ix_organisations_region_id'), 'organisations', ['region_id'], unique=False)
    op.create_table('score_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('dimension', sa.Enum('sensing', 'planning', 'promotion', 'characteristic', 'cooperation', name='dimension', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('components', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['chain_id'], ['industry_chains.id'], name=op.f('fk_score_snapshots_chain_id_industry_chains')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_score_snapshots_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_snapshots')),
    sa.UniqueConstraint('region_id', 'chain_id', 'dimension', 'period_start', 'period_end', name='uq_score_snapshots_scope', postgresql_nulls_not_distinct=True)
    )
    op.create_index(op.f('ix_score_snapshots_region_id'), 'score_snapshots', ['region_id'], unique=False)
    op.create_table('capabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('expertise', 'patent', 'equipment', 'result', name='capabilitykind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('team', sa.String(length=200), nullable=True),
    sa.Column('trl', sa.Integer(), nullable=True),
    sa.Column('patent_numbers', sa.ARRAY(sa.Text()), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('active', 'archived', name='capabilitystatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('keywords', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('embedding', pgvector.sqlalchemy.vector.VECTOR(dim=384), nullable=True),
    sa.Column('lexical', postgresql.TSVECTOR(), nullable=True),
    sa.Column('match_state', sa.Enum('pending', 'done', 'failed', name='matchstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('match_error', sa.Text(), nullable=True),
    sa.Column('matched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('trl IS NULL OR trl BETWEEN 1 AND 9', name=op.f('ck_capabilities_trl')),
    sa.ForeignKeyConstraint(['chain_id'], ['industry_chains.id'], name=op.f('fk_capabilities_chain_id_industry_chains')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_capabilities_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capabilities'))
    )
    op.create_index(op.f('ix_capabilities_chain_id'), 'capabilities', ['chain_id'], unique=False)
    op.create_index('ix_capabilities_embedding_hnsw', 'capabilities', ['embedding'], unique=False, postgresql_using='hnsw', postgresql_with={'m': 16, 'ef_construction': 64}, postgresql_ops={'embedding': 'vector_cosine_ops'})
    op.create_index('ix_capabilities_lexical_gin', 'capabilities', ['lexical'], unique=False, postgresql_using='gin')
    op.create_index(op.f('ix_capabilities_organisation_id'), 'capabilities', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_capabilities_status'), 'capabilities', ['status'], unique=False)
    op.create_index('ix_capabilities_title_trgm', 'capabilities', ['title'], unique=False, postgresql_using='gin', postgresql_ops={'title': 'gin_trgm_ops'})
    op.create_table('needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('trl_min', sa.Integer(), nullable=False),
    sa.Column('trl_max', sa.Integer(), nullable=False),
    sa.Column('budget_min_cny', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('budget_max_cny', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('visibility', sa.Enum('public', 'registered', 'confidential', name='visibility', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('draft', 'open', 'in_progress', 'solved', 'closed', name='needstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('keywords', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('embedding', pgvector.sqlalchemy.vector.VECTOR(dim=384), nullable=True),
    sa.Column('lexical', postgresql.TSVECTOR(), nullable=True),
    sa.Column('match_state', sa.Enum('pending', 'done', 'failed', name='matchstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('match_error', sa.Text(), nullable=True),
    sa.Column('matched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('budget_min_cny IS NULL OR budget_max_cny IS NULL OR budget_min_cny <= budget_max_cny', name=op.f('ck_needs_budget')),
    sa.CheckConstraint('trl_min BETWEEN 1 AND 9 AND trl_max BETWEEN 1 AND 9 AND trl_min <= trl_max', name=op.f('ck_needs_trl')),
    sa.ForeignKeyConstraint(['chain_id'], ['industry_chains.id'], name=op.f('fk_needs_chain_id_industry_chains')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_needs_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs'))
    )
    op.create_index(op.f('ix_needs_chain_id'), 'needs', ['chain_id'], unique=False)
    op.create_index('ix_needs_embedding_hnsw', 'needs', ['embedding'], unique=False, postgresql_using='hnsw', postgresql_with={'m': 16, 'ef_construction': 64}, postgresql_ops={'embedding': 'vector_cosine_ops'})
    op.create_index('ix_needs_lexical_gin', 'needs', ['lexical'], unique=False, postgresql_using='gin')
    op.create_index(op.f('ix_needs_organisation_id'), 'needs', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_needs_status'), 'needs', ['status'], unique=False)
    op.create_index('ix_needs_title_trgm', 'needs', ['title'], unique=False, postgresql_using='gin', postgresql_ops={'title': 'gin_trgm_ops'})
    op.create_table('organisation_chains',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['chain_id'], ['industry_chains.id'], name=op.f('fk_organisation_chains_chain_id_industry_chains'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_chains_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', 'chain_id', name=op.f('pk_organisation_chains'))
    )
    op.create_table('partnerships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('local_organisation_id', sa.Integer(), nullable=False),
    sa.Column('foreign_organisation_id', sa.Integer(), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('kind', sa.Enum('joint_rd', 'licensing', 'investment', 'talent_exchange', 'co_publication', name='partnershipkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('value_cny', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['foreign_organisation_id'], ['organisations.id'], name=op.f('fk_partnerships_foreign_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['local_organisation_id'], ['organisations.id'], name=op.f('fk_partnerships_local_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnerships'))
    )
    op.create_index(op.f('ix_partnerships_foreign_organisation_id'), 'partnerships', ['foreign_organisation_id'], unique=False)
    op.create_index(op.f('ix_partnerships_local_organisation_id'), 'partnerships', ['local_organisation_id'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('firm_member', 'tech_transfer_officer', 'government_analyst', 'admin', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_index(op.f('ix_users_organisation_id'), 'users', ['organisation_id'], unique=False)
    op.create_table('matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('capability_id', sa.Integer(), nullable=False),
    sa.Column('dense_score', sa.Float(), nullable=True),
    sa.Column('lexical_score', sa.Float(), nullable=True),
    sa.Column('fused_score', sa.Float(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('explanation', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'firm_interested', 'university_interested', 'accepted', 'declined', 'expired', name='matchstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('decline_reason', sa.Enum('trl_too_early', 'unclear_benefit', 'out_of_scope', 'budget', 'already_solved', 'other', name='declinereason', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('decline_note', sa.Text(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('firm_interested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('university_interested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['capability_id'], ['capabilities.id'], name=op.f('fk_matches_capability_id_capabilities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_matches_need_id_needs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matches')),
    sa.UniqueConstraint('need_id', 'capability_id', name=op.f('uq_matches_need_id_capability_id'))
    )
    op.create_index(op.f('ix_matches_capability_id'), 'matches', ['capability_id'], unique=False)
    op.create_index(op.f('ix_matches_need_id'), 'matches', ['need_id'], unique=False)
    op.create_index(op.f('ix_matches_status'), 'matches', ['status'], unique=False)
    op.create_table('joint_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'active', 'completed', 'commercialised', 'terminated', name='projectstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('contract_value_cny', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('major_level', sa.Enum('none', 'municipal', 'provincial', 'national', name='majorlevel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['chain_id'], ['industry_chains.id'], name=op.f('fk_joint_projects_chain_id_industry_chains')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_joint_projects_match_id_matches')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_joint_projects_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_projects')),
    sa.UniqueConstraint('match_id', name=op.f('uq_joint_projects_match_id'))
    )
    op.create_index(op.f('ix_joint_projects_chain_id'), 'joint_projects', ['chain_id'], unique=False)
    op.create_index(op.f('ix_joint_projects_region_id'), 'joint_projects', ['region_id'], unique=False)
    op.create_table('collaboration_events',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('chain_id', sa.Integer(), nullable=True),
    sa.Column('organisation_ids', postgresql.ARRAY(sa.Integer()), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('capability_id', sa.Integer(), nullable=True),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('partnership_id', sa.Integer(), nullable=True),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['capability_id'], ['capabilities.id'], name=op.f('fk_collaboration_events_capability_id_capabilities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['chain_id'], ['industry_chains.id'], name=op.f('fk_collaboration_events_chain_id_industry_chains')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_collaboration_events_match_id_matches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_collaboration_events_need_id_needs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_collaboration_events_partnership_id_partnerships'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['joint_projects.id'], name=op.f('fk_collaboration_events_project_id_joint_projects'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_collaboration_events_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collaboration_events'))
    )
    op.create_index(op.f('ix_collaboration_events_chain_id'), 'collaboration_events', ['chain_id'], unique=False)
    op.create_index(op.f('ix_collaboration_events_kind'), 'collaboration_events', ['kind'], unique=False)
    op.create_index('ix_collaboration_events_region_time', 'collaboration_events', ['region_id', 'occurred_at'], unique=False)
    op.create_table('project_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['joint_projects.id'], name=op.f('fk_project_milestones_project_id_joint_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_milestones'))
    )
    op.create_index(op.f('ix_project_milestones_project_id'), 'project_milestones', ['project_id'], unique=False)
    op.create_table('project_parties',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_project_parties_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['joint_projects.id'], name=op.f('fk_project_parties_project_id_joint_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'organisation_id', name=op.f('pk_project_parties'))
    )
    op.execute(LEDGER_GUARD)


def downgrade() -> None:
    op.execute("DROP TRIGGER collaboration_events_append_only ON collaboration_events")
    op.execute("DROP FUNCTION collaboration_events_append_only()")
    op.drop_table('project_parties')
    op.drop_index(op.f('ix_project_milestones_project_id'), table_name='project_milestones')
    op.drop_table('project_milestones')
    op.drop_index('ix_collaboration_events_region_time', table_name='collaboration_events')
    op.drop_index(op.f('ix_collaboration_events_kind'), table_name='collaboration_events')
    op.drop_index(op.f('ix_collaboration_events_chain_id'), table_name='collaboration_events')
    op.drop_table('collaboration_events')
    op.drop_index(op.f('ix_joint_projects_region_id'), table_name='joint_projects')
    op.drop_index(op.f('ix_joint_projects_chain_id'), table_name='joint_projects')
    op.drop_table('joint_projects')
    op.drop_index(op.f('ix_matches_status'), table_name='matches')
    op.drop_index(op.f('ix_matches_need_id'), table_name='matches')
    op.drop_index(op.f('ix_matches_capability_id'), table_name='matches')
    op.drop_table('matches')
    op.drop_index(op.f('ix_users_organisation_id'), table_name='users')
    op.drop_table('users')
    op.drop_index(op.f('ix_partnerships_local_organisation_id'), table_name='partnerships')
    op.drop_index(op.f('ix_partnerships_foreign_organisation_id'), table_name='partnerships')
    op.drop_table('partnerships')
    op.drop_table('organisation_chains')
    op.drop_index('ix_needs_title_trgm', table_name='needs', postgresql_using='gin', postgresql_ops={'title': 'gin_trgm_ops'})
    op.drop_index(op.f('ix_needs_status'), table_name='needs')
    op.drop_index(op.f('ix_needs_organisation_id'), table_name='needs')
    op.drop_index('ix_needs_lexical_gin', table_name='needs', postgresql_using='gin')
    op.drop_index('ix_needs_embedding_hnsw', table_name='needs', postgresql_using='hnsw', postgresql_with={'m': 16, 'ef_construction': 64}, postgresql_ops={'embedding': 'vector_cosine_ops'})
    op.drop_index(op.f('ix_needs_chain_id'), table_name='needs')
    op.drop_table('needs')
    op.drop_index('ix_capabilities_title_trgm', table_name='capabilities', postgresql_using='gin', postgresql_ops={'title': 'gin_trgm_ops'})
    op.drop_index(op.f('ix_capabilities_status'), table_name='capabilities')
    op.drop_index(op.f('ix_capabilities_organisation_id'), table_name='capabilities')
    op.drop_index('ix_capabilities_lexical_gin', table_name='capabilities', postgresql_using='gin')
    op.drop_index('ix_capabilities_embedding_hnsw', table_name='capabilities', postgresql_using='hnsw', postgresql_with={'m': 16, 'ef_construction': 64}, postgresql_ops={'embedding': 'vector_cosine_ops'})
    op.drop_index(op.f('ix_capabilities_chain_id'), table_name='capabilities')
    op.drop_table('capabilities')
    op.drop_index(op.f('ix_score_snapshots_region_id'), table_name='score_snapshots')
    op.drop_table('score_snapshots')
    op.drop_index(op.f('ix_organisations_region_id'), table_name='organisations')
    op.drop_index(op.f('ix_organisations_kind'), table_name='organisations')
    op.drop_table('organisations')
    op.drop_index(op.f('ix_regions_parent_id'), table_name='regions')
    op.drop_table('regions')
    op.drop_index(op.f('ix_industry_chains_parent_id'), table_name='industry_chains')
    op.drop_table('industry_chains')
