"""Answered follow-up questions, for the help desk to review: a follow-up that was misread gets an
answer nobody flags (it is neither declined nor rated), and one that repeats the previous answer's
citations was most likely misread.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from assistant.serving.migrations.columns import key_and_columns

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


FOLLOWUPS = {
    "created_at": None, "question": None, "previous_question": None, "read_as": None, "answer": None,
    "citations": "[]", "repeats_previous": "0", "source": "ui",
}


def upgrade() -> None:
    op.create_table("followups", *key_and_columns(FOLLOWUPS, frozenset({"repeats_previous"})))
    op.create_index("followups_time", "followups", ["created_at"])


def downgrade() -> None:
    op.drop_table("followups")
