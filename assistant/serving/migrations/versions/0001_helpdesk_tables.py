"""The help-desk tables: answer ratings and declined questions.

Databases made before migrations existed hold these tables already, created by the same DDL; they are
adopted as they are (rows kept), and only stamped with this revision.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "feedback" not in existing:
        op.create_table(
            "feedback",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("updated_at", sa.Text, nullable=False),
            sa.Column("rating", sa.Text, nullable=False),
            sa.Column("comment", sa.Text, nullable=False, server_default=""),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("citations", sa.Text, nullable=False, server_default="[]"),
            sa.Column("abstained", sa.Integer, nullable=False, server_default="0"),
            sa.Column("source", sa.Text, nullable=False, server_default="ui"),
            sa.Column("session", sa.Text, nullable=False, server_default=""),
            sa.CheckConstraint("rating IN ('up', 'down')", name="feedback_rating_known"),
        )
        op.create_index("feedback_rating", "feedback", ["rating", "created_at"])
    if "unanswered" not in existing:
        op.create_table(
            "unanswered",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("nearest", sa.Text, nullable=False, server_default="[]"),
            sa.Column("source", sa.Text, nullable=False, server_default="ui"),
        )
        op.create_index("unanswered_time", "unanswered", ["created_at"])


def downgrade() -> None:
    op.drop_table("unanswered")
    op.drop_table("feedback")
