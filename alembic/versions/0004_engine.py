"""escalations, outbox

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.dbtypes

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('escalation_state',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('alert_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('pass_index', sa.Integer(), nullable=False),
    sa.Column('step_index', sa.Integer(), nullable=False),
    sa.Column('notified_at', app.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_due_at', app.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reply_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('roster_hole_reported', sa.Boolean(), nullable=False),
    sa.Column('started_at', app.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', app.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_escalation_state_alert_id_alert')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_escalation_state_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_state')),
    sa.UniqueConstraint('alert_id', name=op.f('uq_escalation_state_alert_id'))
    )
    with op.batch_alter_table('escalation_state', schema=None) as batch_op:
        batch_op.create_index('ix_escalation_state_due', ['status', 'next_due_at'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('alert_id', sa.Uuid(), nullable=True),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('to_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('pass_index', sa.Integer(), nullable=True),
    sa.Column('step_index', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('due_at', app.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', app.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('provider_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', app.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', app.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', app.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_outbox_message_alert_id_alert')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('provider_id', name=op.f('uq_outbox_message_provider_id'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index('ix_outbox_message_due', ['status', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_due')
        batch_op.drop_index(batch_op.f('ix_outbox_message_alert_id'))

    op.drop_table('outbox_message')
    with op.batch_alter_table('escalation_state', schema=None) as batch_op:
        batch_op.drop_index('ix_escalation_state_due')

    op.drop_table('escalation_state')
