"""The demo association's Import page shows a finished membership-history import from the
start: its members' Student years in the previous system, through the real importer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django_scopes import scope

from commonground.demo.previous_system import FILE_NAME
from commonground.demo.seed import seed_association
from commonground.membership import lifecycle
from commonground.membership.models import HistoryBatch, Membership, Term
from commonground.tenancy.services import staff_add

TODAY = date(2026, 6, 15)

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_finished_history_import_with_no_rejected_rows(client, settings,
                                                                       tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    result = seed_association(slug="demo", members=360, seed=4, today=TODAY,
                              activities_per_member=0)
    association = result.association
    with scope(association=association):
        batch = HistoryBatch.objects.get()
        assert (batch.status, batch.file_name) == ("done", FILE_NAME)
        assert batch.rejected == 0 and batch.total_rows == batch.rows_done == batch.created > 20
        assert batch.people_created == 0  # the members' own earlier years, not new people
        assert batch.memberships_created == result.counts["history_memberships_created"] > 10
        # Each Student membership lapsed at its end, and before a reinstatement after a year off.
        assert batch.memberships_lapsed == batch.memberships_created + batch.memberships_reinstated
        assert batch.memberships_reinstated > 0
        assert batch.payments_created == batch.created
        students = Membership.objects.filter(plan__slug="student", person__isnull=False,
                                             transitions__note="imported").distinct()
        assert students.count() == batch.memberships_created
        for m in students.select_related("plan"):
            later = Membership.objects.filter(person_id=m.person_id).exclude(pk=m.pk).get()
            assert m.status == "lapsed"
            assert m.lapsed_on == lifecycle.lapse_date(m.ends_on, m.plan.grace) < later.joined_on
            terms = list(Term.objects.filter(membership=m).order_by("starts_on"))
            assert terms[0].kind == "join" and terms[0].starts_on == m.joined_on
            for prev, nxt in zip(terms, terms[1:], strict=False):
                assert nxt.kind in ("renewal", "reinstatement")
                if nxt.kind == "renewal":
                    assert nxt.starts_on == prev.ends_on + timedelta(days=1)
            for t in terms:
                assert t.ends_on == lifecycle.term_end(t.starts_on, 12) and not t.inferred
    # The Import page lists it, finished, with nothing rejected.
    director = staff_add(association=association, email="imports@demo.example.org",
                         role_key="membership").user
    client.force_login(director)
    html = client.get(reverse("import_index", kwargs={"association": "demo"})).content.decode()
    detail = reverse("import_history_detail", kwargs={"association": "demo", "batch_id": batch.pk})
    assert f'href="{detail}">History import #{batch.pk}</a>' in html and FILE_NAME in html
    assert "Rejected</dt><dd>0" in client.get(detail).content.decode()

