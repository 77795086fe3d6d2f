"""Refresh planner statistics for the tables whose indexes changed (0003, 0004, people 0008).

SQLite keeps no statistics for a new index until ANALYZE runs, and on a seeded database it
then picked the wrong index for the profile's membership query (p95 152 ms instead of
67 ms in ``bench member360``). Sampling is bounded, so this is quick on big tables too.
"""

from django.db import migrations

TABLES = ["membership_membership", "membership_term", "membership_transition", "people_person"]


def analyze(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=2000")
        for table in TABLES:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("membership", "0004_leaner_history_indexes"),
        ("people", "0008_leaner_history_indexes"),
    ]

    operations = [migrations.RunPython(analyze, migrations.RunPython.noop)]
