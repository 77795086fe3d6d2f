"""Two identical requests racing with one Idempotency-Key write once (PostgreSQL).

The stored response is inserted in the write's own transaction; the loser's insert hits the
unique (association, key) constraint, its write rolls back with it, and it replays the
winner's response.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django_scopes import scope

from _api_support import ApiClient, make_token
from commonground.people.models import Person


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_person(association):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    token = make_token(association)
    barrier = threading.Barrier(4)
    results: list = []

    def call() -> None:
        try:
            barrier.wait()
            response = ApiClient(token).post("/people", {"first_name": "Race", "last_name": "Once"},
                                             headers={"Idempotency-Key": "race-1"})
            results.append((response.status_code, response.content))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in results] == [201] * 4
    assert len({content for _, content in results}) == 1
    with scope(association=association):
        assert Person.objects.filter(last_name="Once").count() == 1
