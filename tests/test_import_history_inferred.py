"""A roster row knows Member Since and the expiry only: the import infers the history
between them (``membership.inference``) for every kind of plan, and the daily advance then
has nothing left to do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from commonground.membership import lifecycle
from commonground.membership import services as ms
from commonground.membership.models import Membership, Status, Term, Transition
from commonground.membership.roster.engine import run_batch
from commonground.membership.roster.services import import_prepare
from commonground.people.services import person_create

TODAY = date(2026, 6, 15)
HEADER = "Email,Last Name,Membership Level,Member Since,Expiration Date\n"


@pytest.fixture(autouse=True)
def frozen(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    noon = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    monkeypatch.setattr(timezone, "now", lambda: noon)  # every clock reads this


@pytest.fixture
def plans(association):
    with scope(association=association):
        return {months: ms.plan_save(association=association, name=name, price="10",
                                     term_months=months)
                for months, name in ((1, "Monthly"), (3, "Quarterly"), (12, "Annual"),
                                     (24, "Biennial"), (0, "Lifetime"))}


def load(association, tmp_path, rows: str, name="roster.csv"):
    path = tmp_path / name
    path.write_text(HEADER + rows)
    with scope(association=association):
        batch, _ = import_prepare(association=association, path=path)
    return run_batch(batch_id=batch.pk)


def history(association, email):
    with scope(association=association):
        m = Membership.objects.select_related("plan").get(person__email_key=email)
        return (m, [(t.kind, t.starts_on, t.ends_on, t.inferred) for t in m.terms.all()],
                [(t.event, t.from_status, t.to_status, t.on, t.note)
                 for t in m.transitions.all()])


def test_every_kind_of_plan_gets_its_history(association, plans, tmp_path):
    batch = load(association, tmp_path,
                 "mo@example.org,Mo,Monthly,2025-01-10,2026-07-09\n"
                 "qu@example.org,Qu,Quarterly,2025-02-01,2026-01-31\n"
                 "an@example.org,An,Annual,2022-05-01,2025-04-30\n"
                 "bi@example.org,Bi,Biennial,2020-09-01,2026-08-31\n"
                 "li@example.org,Li,Lifetime,2019-04-01,\n")
    assert (batch.created, batch.rejected, batch.memberships_created) == (5, 0, 5)
    m, terms, events = history(association, "mo@example.org")
    assert len(terms) == 18 and all(inferred for *_, inferred in terms)
    assert terms[0] == ("join", date(2025, 1, 10), date(2025, 2, 9), True)
    assert terms[-1] == ("renewal", date(2026, 6, 10), date(2026, 7, 9), True)
    assert [e[0] for e in events] == ["joined"] + ["renewed"] * 17
    assert [e[3] for e in events[1:3]] == [date(2025, 2, 10), date(2025, 3, 10)]
    assert (m.status, m.starts_on, m.ends_on) == ("active", date(2026, 6, 10), date(2026, 7, 9))
    # Quarterly, expired on 31 January: grace of 14 days (the term's default), lapsed on
    # the 15th day after the end.
    m, terms, events = history(association, "qu@example.org")
    assert [t[1] for t in terms] == [date(2025, 2, 1), date(2025, 5, 1), date(2025, 8, 1),
                                     date(2025, 11, 1)]
    assert events[-2:] == [("renewed", "active", "active", date(2025, 11, 1), "inferred"),
                           ("lapsed", "active", "lapsed", date(2026, 2, 15), "inferred")]
    assert (m.status, m.lapsed_on) == ("lapsed", lifecycle.lapse_date(date(2026, 1, 31), 14))
    m, terms, events = history(association, "an@example.org")
    assert len(terms) == 3 and (m.status, m.lapsed_on) == ("lapsed", date(2025, 5, 31))
    m, terms, events = history(association, "bi@example.org")
    assert [t[1] for t in terms] == [date(2020, 9, 1), date(2022, 9, 1), date(2024, 9, 1)]
    assert m.status == "active"  # 77 days left, a two-year term is due in its last 60
    m, terms, events = history(association, "li@example.org")
    assert terms == [("join", date(2019, 4, 1), lifecycle.LIFETIME_END, True)]
    assert [e[:3] for e in events] == [("joined", "", "active")] and m.status == "active"
    with scope(association=association):
        # The daily run finds every status already where the dates put it.
        assert ms.memberships_advance(association=association) == {}
        assert ms.memberships_advance(association=association) == {}


def test_reimporting_adds_no_history(association, plans, tmp_path):
    rows = "mo@example.org,Mo,Monthly,2025-01-10,2026-03-09\n"
    load(association, tmp_path, rows)
    with scope(association=association):
        before = (Term.objects.count(), Transition.objects.count())
    load(association, tmp_path, rows, name="again.csv")
    with scope(association=association):
        assert (Term.objects.count(), Transition.objects.count()) == before


def test_a_later_expiry_fills_in_the_renewals_and_withdraws_the_inferred_lapse(
        association, plans, tmp_path):
    load(association, tmp_path, "mo@example.org,Mo,Monthly,2025-01-10,2026-03-09\n")
    m, terms, events = history(association, "mo@example.org")
    assert m.status == "lapsed" and events[-1][:1] == ("lapsed",) and len(terms) == 14
    # The next export says they kept paying: the lapse was not real.
    batch = load(association, tmp_path, "mo@example.org,Mo,Monthly,2025-01-10,2026-07-09\n",
                 name="later.csv")
    assert batch.memberships_renewed == 1
    m, terms, events = history(association, "mo@example.org")
    assert len(terms) == 18 and terms[14] == ("renewal", date(2026, 3, 10), date(2026, 4, 9), True)
    for earlier, later in zip(terms, terms[1:], strict=False):
        assert later[1] == earlier[2] + timedelta(days=1)
    assert [e[0] for e in events].count("lapsed") == 0
    assert [e[0] for e in events].count("grace") == 0
    assert events[14][:4] == ("renewed", "active", "active", date(2026, 3, 10))
    assert [e[3] for e in events] == sorted(e[3] for e in events)
    assert (m.status, m.lapsed_on, m.starts_on) == ("active", None, date(2026, 6, 10))
    with scope(association=association):
        assert ms.memberships_advance(association=association) == {}


def test_memberships_imported_before_inference_lapse_on_the_day_grace_ran_out(
        association, plans, tmp_path):
    """Older imports wrote one join term and one ``joined`` transition carrying the status
    of the import day; the advance moves them on, dated when each change happened."""
    with scope(association=association):
        person = person_create(association=association, last_name="Old", email="old@example.org")
        plan = plans[12]
        m = Membership.objects.create(association=association, plan=plan, person=person,
                                      status=Status.ACTIVE, joined_on=date(2023, 3, 1),
                                      starts_on=date(2023, 3, 1), ends_on=date(2025, 2, 28))
        Term.objects.create(association=association, membership=m, kind="join",
                            starts_on=m.starts_on, ends_on=m.ends_on)
        Transition.objects.create(association=association, membership=m, from_status="",
                                  to_status="active", event="joined", on=m.joined_on,
                                  note="imported")
        assert ms.memberships_advance(association=association) == {Status.LAPSED: 1}
        m.refresh_from_db()
        lapse = m.transitions.last()
        assert (lapse.event, lapse.on, m.lapsed_on) == ("lapsed", date(2025, 3, 31),
                                                        date(2025, 3, 31))
        assert ms.memberships_advance(association=association) == {}
        assert m.transitions.count() == 2


def test_the_profile_says_which_terms_were_inferred(association, plans, tmp_path, staff_client):
    load(association, tmp_path, "an@example.org,An,Annual,2022-05-01,2025-04-30\n")
    m, _, _ = history(association, "an@example.org")
    body = staff_client.get(reverse("person_detail", kwargs={
        "association": "acme", "person_id": m.person_id})).content.decode()
    assert body.count('Renewal <span class="muted">(inferred)</span>') == 2
    assert 'Lapsed <span class="muted">(inferred)</span>' in body

