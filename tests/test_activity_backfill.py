"""Activities that arrived before anyone had the email join the person who gets it."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django_scopes import scope

from commonground.activity.identity.services import email_hash
from commonground.activity.models import Activity, Identity, Source
from commonground.activity.services.backfill import activities_backfill_emails
from commonground.people.models import Person
from commonground.people.services import person_create, person_update


@pytest.fixture
def source(scoped):
    return Source.objects.create(association=scoped, slug="web", name="Website")


def waiting(source, key: str, n: int = 1, *, prefix: str = "x") -> list[Activity]:
    return [Activity.objects.create(
        association=source.association, source=source, kind="page_view", category="web",
        occurred_at=datetime(2024, 5, 1, 12, i, tzinfo=UTC), anonymous_key=key,
        external_id=f"{prefix}-{key}-{i}") for i in range(n)]


def timeline(person: Person) -> list[str]:
    return sorted(a.external_id for a in Activity.objects.filter(person=person))


def test_creating_a_person_attaches_their_waiting_email_and_hash_activities(scoped, source):
    waiting(source, "email:ada@example.org", 2)
    waiting(source, f"hash:{email_hash('ada@example.org')}", prefix="h")
    other = waiting(source, "email:someone@example.org")
    anon = waiting(source, "anon:visitor-1")
    ada = person_create(association=scoped, first_name="Ada", email="Ada@Example.org")
    assert len(timeline(ada)) == 3
    assert not Activity.objects.filter(person=ada).exclude(anonymous_key="").exists()
    # Others stay in the unmatched queue.
    for a in (*other, *anon):
        a.refresh_from_db()
        assert a.person_id is None and a.anonymous_key
    # The identifiers are tied to her, so later rows of the same feeds match too.
    kinds = set(Identity.objects.filter(person=ada).values_list("kind", "value"))
    assert ("email", "ada@example.org") in kinds
    assert ("hash", email_hash("ada@example.org")) in kinds


def test_changing_an_email_attaches_the_new_addresses_activities(scoped, source):
    waiting(source, "email:new@example.org", 2)
    person = person_create(association=scoped, first_name="Bo", email="old@example.org")
    assert timeline(person) == []
    person_update(association=scoped, person=person, email="NEW@example.org")
    assert len(timeline(person)) == 2


def test_no_email_or_empty_queue_is_a_no_op(scoped, source):
    person = person_create(association=scoped, last_name="Nomail")
    assert activities_backfill_emails(association=scoped, people=[(person.pk, "")]) == 0
    assert activities_backfill_emails(association=scoped, people=[(person.pk, "x@example.org")]) == 0
    assert not Identity.objects.exists()


def test_an_identifier_tied_to_someone_else_is_not_taken(scoped, source):
    first = person_create(association=scoped, first_name="First", email="first@example.org")
    Identity.objects.create(association=scoped, person=first, kind="email",
                            value="shared@example.org")
    waiting(source, "email:shared@example.org")
    second = person_create(association=scoped, first_name="Second", email="other@example.org")
    moved = activities_backfill_emails(association=scoped, people=[(second.pk, "shared@example.org")])
    assert timeline(second) == []
    assert moved == 1 and len(timeline(first)) == 1  # the existing tie wins


def test_other_associations_waiting_activities_are_untouched(association, other_association):
    with scope(association=other_association):
        src = Source.objects.create(association=other_association, slug="web", name="Web")
        theirs = waiting(src, "email:ada@example.org")[0]
    with scope(association=association):
        person_create(association=association, first_name="Ada", email="ada@example.org")
    with scope(association=other_association):
        theirs.refresh_from_db()
        assert theirs.person_id is None


def test_roster_import_attaches_waiting_activities_of_new_people(scoped, source, settings,
                                                                   tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    waiting(source, "email:ada@example.org", 2)
    waiting(source, f"hash:{email_hash('cy@example.org')}")
    waiting(source, "email:nobody@example.org")
    path = tmp_path / "roster.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["First Name", "Last Name", "E-mail", "Member ID"])
        writer.writerow(["Ada", "Lovelace", "ada@example.org", "M1"])
        writer.writerow(["Cy", "Young", "Cy@Example.org", "M9"])
    out = StringIO()
    call_command("import", "people", str(path), "--association", "acme", "--json",
                 "--no-progress", stdout=out, stderr=StringIO())
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["created"] == 2, result
    assert len(timeline(Person.objects.get(email_key="ada@example.org"))) == 2
    assert len(timeline(Person.objects.get(email_key="cy@example.org"))) == 1
    assert Activity.objects.filter(person__isnull=True).count() == 1
