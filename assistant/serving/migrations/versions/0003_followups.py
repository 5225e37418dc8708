"""Answered follow-up questions, for the help desk to review: a follow-up that was misread gets an
answer nobody flags (it is neither declined nor rated), and one that repeats the previous answer's
citations was most likely misread.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("previous_question", sa.Text, nullable=False),
        sa.Column("read_as", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.Text, nullable=False, server_default="[]"),
        sa.Column("repeats_previous", sa.Integer, nullable=False, server_default="0"),
        sa.Column("source", sa.Text, nullable=False, server_default="ui"),
    )
    op.create_index("followups_time", "followups", ["created_at"])


def downgrade() -> None:
    op.drop_table("followups")
