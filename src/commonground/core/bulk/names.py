"""A model's SQL names, from ``_meta`` and quoted for the connection: hand-written SQL
never spells a table or column itself, so a renamed table or column cannot leave a
statement behind (each app's ``sql`` module builds its statements with these)."""

from __future__ import annotations

from functools import cache

from django.db import connection, models


class Names:
    """``str(n)`` / ``f"{n}"`` is the quoted table; ``n.<field>`` the quoted column of a
    concrete field, by field name or attname (``n.person`` and ``n.person_id`` are both
    ``"person_id"``)."""

    def __init__(self, model: type[models.Model]) -> None:
        self._model = model
        self._table = connection.ops.quote_name(model._meta.db_table)

    def __str__(self) -> str:
        return self._table

    def __format__(self, spec: str) -> str:
        return self._table

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        value = connection.ops.quote_name(column(self._model, name))
        setattr(self, name, value)  # looked up once per model and field
        return value


def column(model: type[models.Model], name: str) -> str:
    """The database column of a concrete field, by field name or attname."""
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field.column
    raise AttributeError(f"{model._meta.label} has no concrete field {name!r}")


@cache
def names(model: type[models.Model]) -> Names:
    return Names(model)
