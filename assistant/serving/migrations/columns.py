"""Column shapes the migrations share. Revisions already applied depend on these: never change what
they build, add a new helper instead."""

import sqlalchemy as sa


def key_and_columns(defaults: dict[str, str | None], integers: frozenset[str] = frozenset()) -> list[sa.Column]:
    """An autoincrement integer key, then NOT NULL columns in order; a column's value in `defaults` is
    the server default that rows written without it get (None: none)."""
    columns = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)]
    for name, default in defaults.items():
        kind = sa.Integer if name in integers else sa.Text
        columns.append(sa.Column(name, kind, nullable=False, server_default=default))
    return columns
