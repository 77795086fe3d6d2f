"""Is the database's schema there? One check for the console script, one way to prepare it.

Commands that need the schema stop with one line saying what to run when it is missing
(``commonground.cli``); the demo and benchmark commands prepare it themselves
(``migrate_if_needed``). Both ask Django's migration executor which migrations are not
applied yet (about 30 ms), rather than waiting for a query to fail half-way through.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

MIGRATE = "run `commonground migrate` first"


def unapplied(alias: str = DEFAULT_DB_ALIAS) -> int:
    """How many migrations the database still lacks (all of them on a fresh database)."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def schema_problem(alias: str = DEFAULT_DB_ALIAS) -> str | None:
    """One line telling what to run when the schema is missing or behind; None when it is current."""
    connection = connections[alias]
    try:
        missing = unapplied(alias)
        fresh = missing and not MigrationRecorder(connection).has_table()
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"cannot reach the database ({first}); check COMMONGROUND_DATABASE_URL"
    if not missing:
        return None
    if fresh:
        return f"the database has no schema yet; {MIGRATE}"
    return f"the database schema is behind ({missing} migrations not applied); {MIGRATE}"


def migrate_if_needed(say: Callable[[str], None] | None = None) -> int:
    """Apply missing migrations (a fresh data directory gets the whole schema); returns how many.

    Quiet when there is nothing to do; callers pass ``say`` writing to stderr, so a command's
    standard output is the same on a fresh data directory and a prepared one.
    """
    missing = unapplied()
    if missing:
        if say is not None:
            say(f"Preparing the database: applying {missing} migrations…")
        call_command("migrate", interactive=False, verbosity=0)
    return missing
