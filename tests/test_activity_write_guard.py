"""Activity has no FK constraint to its person or offering: what stands in for it.

* a re-delivery whose rows another delivery wrote meanwhile still adds nothing (the direct
  COPY clashes, and the chunk falls back to row-by-row ON CONFLICT);
* removing a person waits for activity writes in flight (one advisory lock per association);
* deleting a person through the ORM still deletes their activity.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, transaction
from django_scopes import scope

from commonground.activity.ingest import write
from commonground.activity.locks import _NAMESPACE, people_hold_shared
from commonground.activity.models import Activity
from commonground.activity.services import activities_ingest_rows
from commonground.people.models import Person

ROWS = [{"Email Address": "jane@example.org", "Action": "open",
         "Timestamp": f"2024-05-0{day} 10:00:00", "Campaign": "May"} for day in range(1, 6)]


def test_redelivery_that_raced_another_still_adds_nothing(scoped, jane, newsletter, monkeypatch):
    first = activities_ingest_rows(association=scoped, source=newsletter, rows=ROWS)
    assert first.created == 5
    # As if another delivery had written the rows between the lookup and the write: the
    # lookup finds nothing, so every row clashes with the unique key.
    monkeypatch.setattr(write, "_new_rows", lambda frame, **kw: frame)
    again = activities_ingest_rows(association=scoped, source=newsletter, rows=ROWS)
    assert (again.created, again.duplicates) == (0, 5)
    assert Activity.objects.filter(person=jane).count() == 5


def test_deleting_a_person_deletes_their_activity(scoped, jane, newsletter):
    activities_ingest_rows(association=scoped, source=newsletter, rows=ROWS)
    Person.objects.get(pk=jane.pk).delete()
    assert Activity.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_person_removal_waits_for_activity_writes_in_flight(association):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; the advisory lock is PostgreSQL's")
    settings = connection.settings_dict
    other = psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None,
                            user=settings["USER"], dbname=settings["NAME"], autocommit=True)
    key = [_NAMESPACE, association.pk]
    try:
        with transaction.atomic():
            people_hold_shared(association_id=association.pk)
            # What a merge or delete takes first: refused while the write is open...
            assert other.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()[0] is False
            # ...while another activity write goes ahead.
            assert other.execute("SELECT pg_try_advisory_lock_shared(%s, %s)", key).fetchone()[0]
            other.execute("SELECT pg_advisory_unlock_shared(%s, %s)", key)
        assert other.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()[0] is True
        other.execute("SELECT pg_advisory_unlock(%s, %s)", key)
    finally:
        other.close()
    with scope(association=association):
        assert Activity.objects.count() == 0
