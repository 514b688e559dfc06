"""encrypted personal data, access log

Revision ID: 0002
Revises: 0001

The plain identity, contact and place columns of `alert` are replaced by sealed tokens (one
per category) and a keyed hash of the national id. There is no production data yet: values
in the dropped columns of a development database are discarded, not converted (a migration
holds no keys). `access_log_entry` is append-only in the database too: triggers refuse
UPDATE and DELETE (and TRUNCATE on PostgreSQL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.dbtypes

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PLAIN_PERSONAL_COLUMNS = (
    "place_description",
    "place_latitude",
    "place_longitude",
    "person_national_id",
    "person_name",
    "person_phone",
    "person_birth_year",
    "person_sex",
)

_REFUSAL = "access_log_entry is append-only"

_SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER access_log_entry_no_update BEFORE UPDATE ON access_log_entry
    BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
    f"""CREATE TRIGGER access_log_entry_no_delete BEFORE DELETE ON access_log_entry
    BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
)

_POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION access_log_entry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{_REFUSAL}' USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER access_log_entry_no_update_or_delete
    BEFORE UPDATE OR DELETE ON access_log_entry
    FOR EACH ROW EXECUTE FUNCTION access_log_entry_append_only()""",
    """CREATE TRIGGER access_log_entry_no_truncate
    BEFORE TRUNCATE ON access_log_entry
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_entry_append_only()""",
)


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        for column in _PLAIN_PERSONAL_COLUMNS:
            batch_op.drop_column(column)
        batch_op.add_column(sa.Column("identity_sealed", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("contact_sealed", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("place_sealed", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "national_id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "inform_person_required", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "shared_without_consent", sa.JSON(), server_default=sa.text("'[]'"), nullable=False
            )
        )
        batch_op.create_index(
            batch_op.f("ix_alert_national_id_hash"), ["national_id_hash"], unique=False
        )

    op.create_table(
        "access_log_entry",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("actor_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=True),
        sa.Column("national_id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("legal_basis", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_access_log_entry_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_access_log_entry_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_entry")),
    )
    with op.batch_alter_table("access_log_entry", schema=None) as batch_op:
        for column in ("actor_id", "alert_id", "municipality_code", "national_id_hash"):
            batch_op.create_index(
                batch_op.f(f"ix_access_log_entry_{column}"), [column], unique=False
            )

    triggers = _POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == "postgresql" else None
    for statement in triggers or _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER access_log_entry_no_truncate ON access_log_entry")
        op.execute("DROP TRIGGER access_log_entry_no_update_or_delete ON access_log_entry")
        op.execute("DROP FUNCTION access_log_entry_append_only()")
    else:
        op.execute("DROP TRIGGER access_log_entry_no_delete")
        op.execute("DROP TRIGGER access_log_entry_no_update")
    op.drop_table("access_log_entry")

    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_national_id_hash"))
        for column in (
            "shared_without_consent",
            "inform_person_required",
            "national_id_hash",
            "place_sealed",
            "contact_sealed",
            "identity_sealed",
        ):
            batch_op.drop_column(column)
        batch_op.add_column(
            sa.Column("place_description", sqlmodel.sql.sqltypes.AutoString(length=500))
        )
        batch_op.add_column(sa.Column("place_latitude", sa.Float()))
        batch_op.add_column(sa.Column("place_longitude", sa.Float()))
        batch_op.add_column(
            sa.Column("person_national_id", sqlmodel.sql.sqltypes.AutoString(length=11))
        )
        batch_op.add_column(sa.Column("person_name", sqlmodel.sql.sqltypes.AutoString(length=200)))
        batch_op.add_column(sa.Column("person_phone", sqlmodel.sql.sqltypes.AutoString(length=20)))
        batch_op.add_column(sa.Column("person_birth_year", sa.Integer()))
        batch_op.add_column(sa.Column("person_sex", sqlmodel.sql.sqltypes.AutoString(length=10)))
