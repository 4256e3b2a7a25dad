"""The supervision cycle: units and their members, indicator systems (frameworks, nodes, mappings),
campaigns, milestones, tasks and their units, progress, evidence and its links, reminders and job runs;
profiles, assessments, appeals and their versions; inspections, findings, rectification and its steps;
annual reports, their versions, drafts and comments.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('slot', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('result', JSON, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'slot', name='uq_job_runs_job')
    )
    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=24), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_comments_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_target', ['target_type', 'target_id'], unique=False)

    op.create_table('frameworks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('urn', sa.String(length=255), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('edition', sa.String(length=64), nullable=True),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('data', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_frameworks_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_frameworks')),
    sa.UniqueConstraint('urn', 'version', name='uq_frameworks_urn_version')
    )
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_frameworks_sha256'), ['sha256'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=True),
    sa.Column('enforcement', sa.Boolean(), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=True),
    sa.Column('province', sa.String(length=64), nullable=True),
    sa.Column('city', sa.String(length=64), nullable=True),
    sa.Column('county', sa.String(length=64), nullable=True),
    sa.Column('township', sa.String(length=64), nullable=True),
    sa.Column('department', sa.String(length=128), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=255), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_how', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_units_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_units_parent_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('key', name=op.f('uq_units_key'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_units_region', ['province', 'city', 'county', 'township'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_region_code'), ['region_code'], unique=False)

    op.create_table('indicator_nodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('ref_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('points', sa.Float(), nullable=True),
    sa.Column('scoring_text', sa.Text(), nullable=True),
    sa.Column('evidence_required', JSON, nullable=False),
    sa.Column('check_methods', JSON, nullable=False),
    sa.Column('keywords', JSON, nullable=False),
    sa.Column('indicators', JSON, nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_indicator_nodes_framework_id_frameworks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['indicator_nodes.id'], name=op.f('fk_indicator_nodes_parent_id_indicator_nodes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_nodes')),
    sa.UniqueConstraint('framework_id', 'path', name='uq_indicator_nodes_framework_id')
    )
    with op.batch_alter_table('indicator_nodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_nodes_framework_id'), ['framework_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_nodes_parent_id'), ['parent_id'], unique=False)

    op.create_table('mapping_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mapping_sets_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['frameworks.id'], name=op.f('fk_mapping_sets_source_id_frameworks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['frameworks.id'], name=op.f('fk_mapping_sets_target_id_frameworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mapping_sets'))
    )
    with op.batch_alter_table('mapping_sets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mapping_sets_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mapping_sets_target_id'), ['target_id'], unique=False)

    op.create_table('profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('framework_id', sa.Integer(), nullable=True),
    sa.Column('unit_types', JSON, nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('bonus_cap', sa.Float(), nullable=True),
    sa.Column('rescale_to', sa.Float(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_profiles_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_profiles_framework_id_frameworks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profiles'))
    )
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profiles_framework_id'), ['framework_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_profiles_sha256'), ['sha256'], unique=False)

    op.create_table('unit_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.Text(), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['scope_id'], ['units.id'], name=op.f('fk_unit_aliases_scope_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_aliases_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_aliases')),
    sa.UniqueConstraint('alias', 'scope_id', name='uq_unit_aliases_alias')
    )
    with op.batch_alter_table('unit_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_aliases_unit_id'), ['unit_id'], unique=False)

    op.create_table('unit_members',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('duty', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_members_unit_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_unit_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_unit_members'))
    )
    with op.batch_alter_table('unit_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_members_unit_id'), ['unit_id'], unique=False)

    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('organiser_name', sa.Text(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=True),
    sa.Column('profile_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('settings', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_campaigns_framework_id_frameworks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organiser_id'], ['units.id'], name=op.f('fk_campaigns_organiser_id_units'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['profile_id'], ['profiles.id'], name=op.f('fk_campaigns_profile_id_profiles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_framework_id'), ['framework_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaigns_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaigns_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaigns_year'), ['year'], unique=False)

    op.create_table('node_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mapping_set_id', sa.Integer(), nullable=False),
    sa.Column('source_node_id', sa.Integer(), nullable=False),
    sa.Column('target_node_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['mapping_set_id'], ['mapping_sets.id'], name=op.f('fk_node_mappings_mapping_set_id_mapping_sets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_node_id'], ['indicator_nodes.id'], name=op.f('fk_node_mappings_source_node_id_indicator_nodes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_node_id'], ['indicator_nodes.id'], name=op.f('fk_node_mappings_target_node_id_indicator_nodes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_node_mappings'))
    )
    with op.batch_alter_table('node_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_node_mappings_mapping_set_id'), ['mapping_set_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_node_mappings_source_node_id'), ['source_node_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_node_mappings_target_node_id'), ['target_node_id'], unique=False)

    op.create_table('profile_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('block', sa.Text(), nullable=True),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('rule', JSON, nullable=True),
    sa.Column('rule_text', sa.Text(), nullable=True),
    sa.Column('scorer', sa.Text(), nullable=True),
    sa.Column('scorer_unit_id', sa.Integer(), nullable=True),
    sa.Column('applies', sa.Text(), nullable=True),
    sa.Column('node_id', sa.Integer(), nullable=True),
    sa.Column('check_method', sa.Text(), nullable=True),
    sa.Column('evidence_required', JSON, nullable=False),
    sa.Column('indicators', JSON, nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['indicator_nodes.id'], name=op.f('fk_profile_items_node_id_indicator_nodes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['profile_id'], ['profiles.id'], name=op.f('fk_profile_items_profile_id_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scorer_unit_id'], ['units.id'], name=op.f('fk_profile_items_scorer_unit_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_items'))
    )
    with op.batch_alter_table('profile_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_items_node_id'), ['node_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_profile_items_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_profile_items_scorer_unit_id'), ['scorer_unit_id'], unique=False)

    op.create_table('annual_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('published_url', sa.Text(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('published_report_id', sa.Integer(), nullable=True),
    sa.Column('recipients', JSON, nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_annual_reports_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_annual_reports_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_report_id'], ['reports.id'], name=op.f('fk_annual_reports_published_report_id_reports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_annual_reports_report_id_reports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_annual_reports_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_reports')),
    sa.UniqueConstraint('campaign_id', 'unit_id', name='uq_annual_reports_campaign_id')
    )
    with op.batch_alter_table('annual_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annual_reports_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annual_reports_published_report_id'), ['published_report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annual_reports_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annual_reports_unit_id'), ['unit_id'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('self_total', sa.Float(), nullable=True),
    sa.Column('reviewed_total', sa.Float(), nullable=True),
    sa.Column('final_total', sa.Float(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appeal_until', sa.Date(), nullable=True),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_assessments_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['profiles.id'], name=op.f('fk_assessments_profile_id_profiles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_assessments_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('campaign_id', 'unit_id', name='uq_assessments_campaign_id')
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_unit_id'), ['unit_id'], unique=False)

    op.create_table('drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('content', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_drafts_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_drafts_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_drafts_unit_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_drafts_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts'))
    )
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drafts_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drafts_unit_id'), ['unit_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('format', sa.String(length=16), nullable=True),
    sa.Column('filename', sa.Text(), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('fact_id', sa.Integer(), nullable=True),
    sa.Column('indicator', sa.String(length=128), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('value_unit', sa.String(length=64), nullable=True),
    sa.Column('start', sa.Integer(), nullable=True),
    sa.Column('end', sa.Integer(), nullable=True),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evidence_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['fact_id'], ['facts.id'], name=op.f('fk_evidence_fact_id_facts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_evidence_report_id_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['evidence.id'], name=op.f('fk_evidence_supersedes_id_evidence'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_evidence_unit_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_fact_id'), ['fact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_evidence_sha256', ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_supersedes_id'), ['supersedes_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_unit_id'), ['unit_id'], unique=False)

    op.create_table('inspection_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('unit_ids', JSON, nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_inspection_cases_campaign_id_campaigns'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_inspection_cases_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_cases'))
    )
    with op.batch_alter_table('inspection_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_cases_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('applies_to', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_milestones_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('seq', sa.String(length=32), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('section', sa.Text(), nullable=True),
    sa.Column('node_id', sa.Integer(), nullable=True),
    sa.Column('indicator_ref', sa.String(length=64), nullable=True),
    sa.Column('indicator_name', sa.Text(), nullable=True),
    sa.Column('lead_unit_id', sa.Integer(), nullable=True),
    sa.Column('lead_name', sa.Text(), nullable=True),
    sa.Column('target', sa.Text(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('due_text', sa.Text(), nullable=True),
    sa.Column('milestones', JSON, nullable=False),
    sa.Column('periodic', sa.String(length=16), nullable=True),
    sa.Column('ongoing', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('returned_reason', sa.Text(), nullable=True),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_tasks_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['units.id'], name=op.f('fk_tasks_lead_unit_id_units'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['node_id'], ['indicator_nodes.id'], name=op.f('fk_tasks_node_id_indicator_nodes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_campaign_due', ['campaign_id', 'due'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_lead_unit_id'), ['lead_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_node_id'), ['node_id'], unique=False)

    op.create_table('assessment_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', JSON, nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_versions_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assessment_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_versions')),
    sa.UniqueConstraint('assessment_id', 'version', name='uq_assessment_versions_assessment_id')
    )
    with op.batch_alter_table('assessment_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_versions_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('evidence_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=24), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evidence_links_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_evidence_links_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_links_evidence_id_evidence'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_links')),
    sa.UniqueConstraint('evidence_id', 'target_type', 'target_id', name='uq_evidence_links_evidence_id')
    )
    with op.batch_alter_table('evidence_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_links_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index('ix_evidence_links_target', ['target_type', 'target_id'], unique=False)

    op.create_table('inspection_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('review_rule', sa.String(length=128), nullable=True),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_inspection_findings_campaign_id_campaigns'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['inspection_cases.id'], name=op.f('fk_inspection_findings_case_id_inspection_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_inspection_findings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_inspection_findings_report_id_reports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_inspection_findings_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_findings'))
    )
    with op.batch_alter_table('inspection_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_findings_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_findings_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_findings_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_findings_unit_id'), ['unit_id'], unique=False)

    op.create_table('item_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('applicable', sa.Boolean(), nullable=False),
    sa.Column('applicability_reason', sa.Text(), nullable=True),
    sa.Column('self_score', sa.Float(), nullable=True),
    sa.Column('self_note', sa.Text(), nullable=True),
    sa.Column('suggested_score', sa.Float(), nullable=True),
    sa.Column('suggestion', JSON, nullable=True),
    sa.Column('scorer_score', sa.Float(), nullable=True),
    sa.Column('scorer_reason', sa.Text(), nullable=True),
    sa.Column('scorer_id', sa.Integer(), nullable=True),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('final_score', sa.Float(), nullable=True),
    sa.Column('final_reason', sa.Text(), nullable=True),
    sa.Column('events', JSON, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_item_assessments_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['profile_items.id'], name=op.f('fk_item_assessments_item_id_profile_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scorer_id'], ['users.id'], name=op.f('fk_item_assessments_scorer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_assessments')),
    sa.UniqueConstraint('assessment_id', 'item_id', name='uq_item_assessments_assessment_id')
    )
    with op.batch_alter_table('item_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_assessments_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_assessments_item_id'), ['item_id'], unique=False)

    op.create_table('progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('figures', JSON, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('returned_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_progress_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_progress_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_progress_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_progress_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_progress_unit_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress'))
    )
    with op.batch_alter_table('progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progress_unit_id'), ['unit_id'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('channel', sa.String(length=32), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_reminders_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_reminders_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('unit_id', 'kind', 'task_id', 'day', name='uq_reminders_unit_id')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_unit_id'), ['unit_id'], unique=False)

    op.create_table('report_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('annual_report_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['annual_report_id'], ['annual_reports.id'], name=op.f('fk_report_versions_annual_report_id_annual_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_report_versions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_versions_report_id_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_report_versions_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_versions')),
    sa.UniqueConstraint('annual_report_id', 'number', name='uq_report_versions_annual_report_id')
    )
    with op.batch_alter_table('report_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_versions_annual_report_id'), ['annual_report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_versions_report_id'), ['report_id'], unique=False)

    op.create_table('task_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_units_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_task_units_unit_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_units'))
    )
    with op.batch_alter_table('task_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_units_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_units_unit_id'), ['unit_id'], unique=False)

    op.create_table('appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_assessment_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('decided_score', sa.Float(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_appeals_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_appeals_filed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_assessment_id'], ['item_assessments.id'], name=op.f('fk_appeals_item_assessment_id_item_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals'))
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeals_item_assessment_id'), ['item_assessment_id'], unique=False)

    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('person', sa.Text(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('escalation', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('report_text', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['inspection_findings.id'], name=op.f('fk_rectifications_finding_id_inspection_findings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_rectifications_unit_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_rectifications_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications'))
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectifications_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_unit_id'), ['unit_id'], unique=False)

    op.create_table('rectification_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('escalation', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_rectification_steps_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'], name=op.f('fk_rectification_steps_rectification_id_rectifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_steps'))
    )
    with op.batch_alter_table('rectification_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_steps_rectification_id'), ['rectification_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rectification_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_steps_rectification_id'))

    op.drop_table('rectification_steps')
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectifications_unit_id'))
        batch_op.drop_index(batch_op.f('ix_rectifications_finding_id'))

    op.drop_table('rectifications')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeals_item_assessment_id'))

    op.drop_table('appeals')
    with op.batch_alter_table('task_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_units_unit_id'))
        batch_op.drop_index(batch_op.f('ix_task_units_task_id'))

    op.drop_table('task_units')
    with op.batch_alter_table('report_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_versions_report_id'))
        batch_op.drop_index(batch_op.f('ix_report_versions_annual_report_id'))

    op.drop_table('report_versions')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_unit_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_task_id'))

    op.drop_table('reminders')
    with op.batch_alter_table('progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_unit_id'))
        batch_op.drop_index(batch_op.f('ix_progress_task_id'))

    op.drop_table('progress')
    with op.batch_alter_table('item_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_assessments_item_id'))
        batch_op.drop_index(batch_op.f('ix_item_assessments_assessment_id'))

    op.drop_table('item_assessments')
    with op.batch_alter_table('inspection_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_findings_unit_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_findings_report_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_findings_case_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_findings_campaign_id'))

    op.drop_table('inspection_findings')
    with op.batch_alter_table('evidence_links', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_links_target')
        batch_op.drop_index(batch_op.f('ix_evidence_links_evidence_id'))

    op.drop_table('evidence_links')
    with op.batch_alter_table('assessment_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_versions_assessment_id'))

    op.drop_table('assessment_versions')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_node_id'))
        batch_op.drop_index(batch_op.f('ix_tasks_lead_unit_id'))
        batch_op.drop_index('ix_tasks_campaign_due')

    op.drop_table('tasks')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_campaign_id'))

    op.drop_table('milestones')
    with op.batch_alter_table('inspection_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_cases_campaign_id'))

    op.drop_table('inspection_cases')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_unit_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_supersedes_id'))
        batch_op.drop_index('ix_evidence_sha256')
        batch_op.drop_index(batch_op.f('ix_evidence_report_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_fact_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drafts_unit_id'))
        batch_op.drop_index(batch_op.f('ix_drafts_campaign_id'))

    op.drop_table('drafts')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_unit_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_profile_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_campaign_id'))

    op.drop_table('assessments')
    with op.batch_alter_table('annual_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annual_reports_unit_id'))
        batch_op.drop_index(batch_op.f('ix_annual_reports_report_id'))
        batch_op.drop_index(batch_op.f('ix_annual_reports_published_report_id'))
        batch_op.drop_index(batch_op.f('ix_annual_reports_campaign_id'))

    op.drop_table('annual_reports')
    with op.batch_alter_table('profile_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_items_scorer_unit_id'))
        batch_op.drop_index(batch_op.f('ix_profile_items_profile_id'))
        batch_op.drop_index(batch_op.f('ix_profile_items_node_id'))

    op.drop_table('profile_items')
    with op.batch_alter_table('node_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_node_mappings_target_node_id'))
        batch_op.drop_index(batch_op.f('ix_node_mappings_source_node_id'))
        batch_op.drop_index(batch_op.f('ix_node_mappings_mapping_set_id'))

    op.drop_table('node_mappings')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_year'))
        batch_op.drop_index(batch_op.f('ix_campaigns_profile_id'))
        batch_op.drop_index(batch_op.f('ix_campaigns_organiser_id'))
        batch_op.drop_index(batch_op.f('ix_campaigns_framework_id'))

    op.drop_table('campaigns')
    with op.batch_alter_table('unit_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_members_unit_id'))

    op.drop_table('unit_members')
    with op.batch_alter_table('unit_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_aliases_unit_id'))

    op.drop_table('unit_aliases')
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profiles_sha256'))
        batch_op.drop_index(batch_op.f('ix_profiles_framework_id'))

    op.drop_table('profiles')
    with op.batch_alter_table('mapping_sets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mapping_sets_target_id'))
        batch_op.drop_index(batch_op.f('ix_mapping_sets_source_id'))

    op.drop_table('mapping_sets')
    with op.batch_alter_table('indicator_nodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_nodes_parent_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_nodes_framework_id'))

    op.drop_table('indicator_nodes')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_region_code'))
        batch_op.drop_index('ix_units_region')
        batch_op.drop_index(batch_op.f('ix_units_parent_id'))

    op.drop_table('units')
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_frameworks_sha256'))

    op.drop_table('frameworks')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_target')

    op.drop_table('comments')
    op.drop_table('job_runs')
