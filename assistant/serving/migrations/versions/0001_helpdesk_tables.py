"""The help-desk tables: answer ratings and declined questions.

Databases made before migrations existed hold these tables already, created by the same DDL; they are
adopted as they are (rows kept), and only stamped with this revision.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from assistant.serving.migrations.columns import key_and_columns

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


FEEDBACK = {
    "created_at": None, "updated_at": None, "rating": None, "comment": "", "question": None, "answer": None,
    "citations": "[]", "abstained": "0", "source": "ui", "session": "",
}
UNANSWERED = {"created_at": None, "question": None, "answer": None, "nearest": "[]", "source": "ui"}


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "feedback" not in existing:
        rating_known = sa.CheckConstraint("rating IN ('up', 'down')", name="feedback_rating_known")
        op.create_table("feedback", *key_and_columns(FEEDBACK, frozenset({"abstained"})), rating_known)
        op.create_index("feedback_rating", "feedback", ["rating", "created_at"])
    if "unanswered" not in existing:
        op.create_table("unanswered", *key_and_columns(UNANSWERED))
        op.create_index("unanswered_time", "unanswered", ["created_at"])


def downgrade() -> None:
    op.drop_table("unanswered")
    op.drop_table("feedback")
