"""Corrections: on a 👎 answer the help desk records the pasal that should have been cited; exported as
training items (`/helpdesk/export/koreksi.jsonl`) that `python -m assistant train --extra` accepts.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ("correct_regulation", "correct_pasal", "corrected_at")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("feedback", sa.Column(name, sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("feedback") as table:
        for name in COLUMNS:
            table.drop_column(name)
