"""Every hand-written SQL statement is bound to its association.

django-scopes guards ORM queries only; raw SQL lives in each app's ``sql`` module and must
carry the tenancy rule itself. For every public function of every app's ``sql`` module a
case below runs it for association A in a database holding two associations with the same
data (same emails, names, identifiers, external ids, organisation names) — plus a few rows
only B has — and with arguments that name B's rows too (B's person ids, B's keys). Then:

* every row B owns, in every table with an ``association_id`` (history tables included),
  is exactly as it was;
* what a read returns for A holds none of B's rows.

The list of functions is discovered, not written down: a new statement without a case
fails ``test_every_sql_function_has_a_case``. Raw SQL outside the ``sql`` modules (and
the generic ``core.bulk`` kernel, demo and bench) fails ``test_no_raw_sql_outside_sql_modules``.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

import commonground
from commonground.activity.identity.services import email_hash
from commonground.activity.models import Activity, ActivityReject, Identity
from commonground.activity.services import source_create
from commonground.core import bulk
from commonground.membership import services as ms
from commonground.membership.models import Membership, Transition
from commonground.people import services as ps
from commonground.people.models import NO_MEMBERSHIP, Person, RelationshipKind
from commonground.people.services.duplicates import duplicate_dismiss
from commonground.tenancy.models import Association
from commonground.tenancy.services import association_create

SRC = Path(commonground.__file__).parent
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


# ---------------------------------------------------------------- discovery

def sql_modules() -> list[ModuleType]:
    """Each installed commonground app's ``sql`` module (or package)."""
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("commonground.") and \
                importlib.util.find_spec(f"{config.name}.sql") is not None:
            found.append(importlib.import_module(f"{config.name}.sql"))
    return found


def sql_functions() -> dict[str, Callable[..., Any]]:
    """``"<app>.<function>"`` → every public function defined in an app's ``sql`` module."""
    out = {}
    for module in sql_modules():
        app = module.__name__.split(".")[1]
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__.startswith(module.__name__):
                out[f"{app}.{name}"] = fn
    return out


# ---------------------------------------------------------------- the two associations

@dataclass
class Side:
    """One association's rows, made the same way for A and B."""

    association: Association
    people: dict[str, Person] = field(default_factory=dict)
    source_id: int = 0
    organisation_id: int = 0
    membership_id: int = 0

    @property
    def pk(self) -> int:
        return self.association.pk

    @property
    def person_ids(self) -> set[int]:
        with scopes_disabled():
            return set(Person._base_manager.filter(association_id=self.pk).values_list("id", flat=True))


@dataclass
class World:
    a: Side
    b: Side


SAME_EMAILS = {"ada": "ada@example.org", "bob": "bob@example.org", "carol": "carol@example.org"}
B_ONLY_EMAIL = "zed@example.org"
B_ONLY_KEY = f"hash:{email_hash('nobody-in-a@example.org')}"


def _side(slug: str, *, b_extras: bool) -> Side:
    association = association_create(slug=slug, name=f"{slug} Society", country="GB", currency="GBP")
    side = Side(association)
    with scope(association=association):
        for key, email in SAME_EMAILS.items():
            side.people[key] = ps.person_create(
                association=association, first_name=key.title(), last_name="Lovelace",
                email=email, postal_code="N1 9GU", external_id=f"X-{key}")
        side.people["twin"] = ps.person_create(association=association, first_name="Ada",
                                               last_name="Lovelace", email="ada.l@example.org",
                                               postal_code="N1 9GU")
        if b_extras:
            side.people["zed"] = ps.person_create(association=association, first_name="Zed",
                                                  email=B_ONLY_EMAIL, external_id="X-zed")
        org = ps.organisation_create(association=association, name="Acme Corp")
        side.organisation_id = org.pk
        ps.relationship_add(association=association, person=side.people["ada"], organisation=org)
        ps.relationship_add(association=association, person=side.people["twin"], organisation=org)
        duplicate_dismiss(association=association, person_a=side.people["bob"],
                          person_b=side.people["carol"])
        plan = ms.plan_save(association=association, name="Standard", price="50.00")
        side.membership_id = ms.membership_join(association=association, plan=plan,
                                                person=side.people["ada"]).pk
        ms.membership_join(association=association, plan=plan, person=side.people["bob"])
        # A grace recorded after the term's end (for the roster's withdrawal of them).
        Transition.objects.create(association=association, membership_id=side.membership_id,
                                  from_status="renewal_due", to_status="grace", event="grace",
                                  on=date(2040, 1, 1))
        side.source_id = source_create(association=association, name="Newsletter", profile="email").pk
    with scopes_disabled():
        common = {"association_id": association.pk, "source_id": side.source_id, "kind": "open",
                  "category": "email"}
        ada, bob, carol = (side.people[k] for k in ("ada", "bob", "carol"))
        for i in range(3):
            Activity.objects.create(**common, person=ada, external_id=f"m-{i}",
                                    occurred_at=NOW - timedelta(days=10 * i), amount=Decimal("5.00"),
                                    currency="GBP")
        # The unmatched queue: one key per kind, the same in both associations.
        for key in ("email:carol@example.org", f"hash:{email_hash('bob@example.org')}",
                    "ext:C-9", "anon:visitor-1", "email:later@example.org"):
            Activity.objects.create(**common, anonymous_key=key, external_id=f"u-{key}",
                                    occurred_at=NOW - timedelta(days=1))
        if b_extras:
            Activity.objects.create(**common, anonymous_key=B_ONLY_KEY, external_id="u-b-only",
                                    occurred_at=NOW - timedelta(days=1))
        # Identities the queue can be backfilled from (written after the activities, as a
        # feed would have seen them first).
        Identity.objects.create(association_id=association.pk, person=carol, kind="email",
                                value="carol@example.org")
        Identity.objects.create(association_id=association.pk, person=bob, kind="anon",
                                value="visitor-1")
        Identity.objects.create(association_id=association.pk, person=bob, kind="ext",
                                source_id=side.source_id, value="C-9")
        ActivityReject.objects.create(association_id=association.pk, source_id=side.source_id,
                                      line=2, reason="bad", raw={"x": "1"}, row_digest="d-same")
        if b_extras:
            ActivityReject.objects.create(association_id=association.pk, source_id=side.source_id,
                                          line=3, reason="bad", raw={"x": "2"}, row_digest="d-b-only")
        # Stale copies of the current membership, for the summary refresh to fix.
        Person._base_manager.filter(association_id=association.pk).update(
            member_status="", member_plan=None, member_since=NO_MEMBERSHIP, member_until=NO_MEMBERSHIP)
    return side


@pytest.fixture
def world(db) -> World:
    return World(a=_side("alpha", b_extras=False), b=_side("beta", b_extras=True))


def snapshot(association_id: int) -> dict[str, list[tuple]]:
    """Every row the association owns, in every table with an association column."""
    out = {}
    with scopes_disabled():
        for model in bulk.tenant_tables():
            cols = [f.attname for f in model._meta.concrete_fields]
            rows = model._base_manager.filter(association_id=association_id).order_by("pk")
            out[model._meta.db_table] = [tuple(repr(v) for v in r) for r in rows.values_list(*cols)]
    return out


def both_ids(w: World, key: str) -> list[int]:
    return [w.a.people[key].pk, w.b.people[key].pk]


def all_ids(w: World) -> list[int]:
    return sorted(w.a.person_ids | w.b.person_ids)


# ---------------------------------------------------------------- one case per function

CASES: dict[str, Callable[[Any, World], None]] = {}


def case(name: str):
    def register(fn):
        CASES[name] = fn
        return fn
    return register


@case("activity.advisory_lock")
def case_activity_advisory_lock(fn, w):
    with transaction.atomic():
        fn(association_id=w.a.pk, namespace=0x0AC7, shared=True)
        fn(association_id=w.a.pk, namespace=0x0AC7, shared=False)


@case("activity.email_hashes_insert")
def case_activity_email_hashes_insert(fn, w):
    assert fn(association_id=w.a.pk, now=NOW) == len(w.a.person_ids)
    with scopes_disabled():
        assert Identity.objects.filter(association_id=w.a.pk, kind="hash").count() == len(w.a.person_ids)


@case("activity.identities_insert")
def case_activity_identities_insert(fn, w):
    bob, ada = w.a.people["bob"].pk, w.a.people["ada"].pk
    # "visitor-1" is tied in both associations already; "visitor-9" is new.
    added = fn(association_id=w.a.pk, now=NOW,
               rows=[(bob, "anon", None, "visitor-1"), (ada, "anon", None, "visitor-9")])
    assert added == 1
    with scopes_disabled():
        assert Identity.objects.get(association_id=w.a.pk, value="visitor-9").person_id == ada


@case("activity.identity_person_ids")
def case_activity_identity_person_ids(fn, w):
    got = fn(association_id=w.a.pk, kind="anon", values=["visitor-1"])
    assert got == [("visitor-1", w.a.people["bob"].pk)]
    assert fn(association_id=w.a.pk, kind="ext", values=["C-9"], source_id=w.a.source_id) == [
        ("C-9", w.a.people["bob"].pk)]
    assert fn(association_id=w.a.pk, kind="ext", values=["C-9"], source_id=w.b.source_id) == []


@case("activity.person_ids_by_email_key")
def case_activity_person_ids_by_email_key(fn, w):
    got = dict(fn(association_id=w.a.pk, values=[*SAME_EMAILS.values(), B_ONLY_EMAIL]))
    assert got == {e: w.a.people[k].pk for k, e in SAME_EMAILS.items()}


@case("activity.unmatched_backfill")
def case_activity_unmatched_backfill(fn, w):
    moved = fn(association_id=w.a.pk, identifiers=[
        ("email", None, "carol@example.org"), ("anon", None, "visitor-1"), ("ext", w.a.source_id, "C-9"),
        ("ext", w.b.source_id, "C-9")])
    assert moved == 3
    with scopes_disabled():
        assert Activity.objects.filter(association_id=w.a.pk, person=w.a.people["carol"]).count() == 1
        assert Activity.objects.filter(association_id=w.a.pk, person=w.a.people["bob"]).count() == 2


@case("activity.unmatched_waiting_kinds")
def case_activity_unmatched_waiting_kinds(fn, w):
    assert fn(association_id=w.a.pk, kinds=["email", "hash", "ext", "anon"]) == {
        "email", "hash", "ext", "anon"}
    with scopes_disabled():
        Activity.objects.filter(association_id=w.a.pk, anonymous_key__startswith="hash:").delete()
    assert fn(association_id=w.a.pk, kinds=["hash"]) == set()  # B's hash keys are not A's


@case("activity.unmatched_waiting_keys")
def case_activity_unmatched_waiting_keys(fn, w):
    keys = ["email:carol@example.org", "anon:visitor-1", B_ONLY_KEY, "email:nobody@example.org"]
    assert fn(association_id=w.a.pk, keys=keys) == {"email:carol@example.org", "anon:visitor-1"}


@case("activity.person_summary_rows")
def case_activity_person_summary_rows(fn, w):
    starts = [datetime(2025, m, 1, tzinfo=UTC) for m in range(1, 7)]
    since = {d: NOW - timedelta(days=d) for d in (30, 90, 365)}
    rows = fn(association_id=w.a.pk, person_id=w.a.people["ada"].pk, now=NOW, starts=starts,
              since=since)
    assert sum(r[3] for r in rows) == 3
    # B's person read through A's association: nothing.
    assert fn(association_id=w.a.pk, person_id=w.b.people["ada"].pk, now=NOW, starts=starts,
              since=since) == []


@case("activity.activities_known_external_ids")
def case_activity_activities_known_external_ids(fn, w):
    ids = ["m-0", "m-1", "u-b-only", "nope"]
    assert sorted(fn(association_id=w.a.pk, source_id=w.a.source_id, external_ids=ids)) == ["m-0", "m-1"]
    assert fn(association_id=w.a.pk, source_id=w.b.source_id, external_ids=ids) == []


@case("activity.activities_insert_new")
def case_activity_activities_insert_new(fn, w):
    from commonground.activity.sql import ACTIVITY_COLUMNS

    rows = [(w.a.people["ada"].pk, "", "open", "email", NOW, Decimal("1.000"), None, "", None, "{}", ext)
            for ext in ("m-0", "u-b-only", "fresh-1")] + [
        (None, "anon:visitor-7", "open", "email", NOW, Decimal("1.000"), Decimal("2.50"), "GBP", None,
         '{"a": 1}', "fresh-2")]
    frame = pl.DataFrame(rows, orient="row", schema={
        "person_id": pl.Int64, "anonymous_key": pl.Utf8, "kind": pl.Utf8, "category": pl.Utf8,
        "occurred_at": pl.Datetime("us", "UTC"), "quantity": pl.Decimal(14, 3),
        "amount": pl.Decimal(14, 2), "currency": pl.Utf8, "offering_id": pl.Int64,
        "metadata": pl.Utf8, "external_id": pl.Utf8}).select(ACTIVITY_COLUMNS)
    # "m-0" is A's already; "u-b-only" exists only in B (and must be created in A).
    assert fn(association_id=w.a.pk, source_id=w.a.source_id, batch_id=None, frame=frame) == (3, 1)
    with scopes_disabled():
        assert Activity.objects.filter(association_id=w.a.pk, external_id="u-b-only").exists()


@case("activity.rejects_known_digests")
def case_activity_rejects_known_digests(fn, w):
    digests = ["d-same", "d-b-only", "d-none"]
    assert fn(association_id=w.a.pk, source_id=w.a.source_id, digests=digests) == {"d-same"}
    assert fn(association_id=w.a.pk, source_id=w.b.source_id, digests=digests) == set()


@case("people.duplicate_people")
def case_people_duplicate_people(fn, w):
    rows = fn(association_id=w.a.pk)
    assert {r[0] for r in rows} == w.a.person_ids


@case("people.duplicate_organisation_ties")
def case_people_duplicate_organisation_ties(fn, w):
    assert set(fn(association_id=w.a.pk)) == {(w.a.people[k].pk, w.a.organisation_id)
                                              for k in ("ada", "twin")}


@case("people.duplicates_version")
def case_people_duplicates_version(fn, w):
    people, ties, dismissed = fn(association_id=w.a.pk)
    assert (people[0], ties[0], dismissed[0]) == (len(w.a.person_ids), 2, 1)
    assert people[1] == max(w.a.person_ids)


@case("people.person_delete_merged")
def case_people_person_delete_merged(fn, w):
    assert fn(association_id=w.a.pk, person_id=w.b.people["zed"].pk) == 0
    with scopes_disabled():
        lone = Person.objects.create(association_id=w.a.pk, first_name="Lone")
    assert fn(association_id=w.a.pk, person_id=lone.pk) == 1


@case("membership.member_summary_refresh")
def case_membership_member_summary_refresh(fn, w):
    assert fn(association_id=w.a.pk, person_ids=all_ids(w)) == 2  # ada and bob, A's only
    with scopes_disabled():
        Person._base_manager.filter(association_id=w.a.pk).update(member_status="")
    assert fn(association_id=w.a.pk) == 2
    with scopes_disabled():
        ada = Person._base_manager.get(pk=w.a.people["ada"].pk)
    assert (ada.member_status, ada.member_since) != ("", NO_MEMBERSHIP)


@case("membership.history_memberships")
def case_membership_history_memberships(fn, w):
    rows = fn(association_id=w.a.pk, person_ids=all_ids(w))
    with scopes_disabled():
        mine = set(Membership.objects.filter(association_id=w.a.pk).values_list("id", flat=True))
    assert {r[0] for r in rows} == mine and all(date.fromisoformat(r[5]) for r in rows)


def _membership_ids(w) -> list[int]:
    with scopes_disabled():
        return list(Membership.objects.filter(
            association_id__in=[w.a.pk, w.b.pk]).values_list("id", flat=True))


@case("membership.history_terms")
def case_membership_history_terms(fn, w):
    rows = fn(association_id=w.a.pk, membership_ids=_membership_ids(w))
    with scopes_disabled():
        mine = set(Membership.objects.filter(association_id=w.a.pk).values_list("id", flat=True))
    assert {r[0] for r in rows} == mine and all(r[3] is False for r in rows)


@case("membership.history_last_lapses")
def case_membership_history_last_lapses(fn, w):
    with scopes_disabled():  # (B's rows must stay as they are: only A gets a lapse)
        m = Membership.objects.get(pk=w.a.membership_id)
        m.transitions.create(association_id=w.a.pk, from_status="grace", to_status="lapsed",
                             event="lapsed", on=date(2020, 1, 2))
    assert fn(association_id=w.a.pk, membership_ids=_membership_ids(w)) == [
        (w.a.membership_id, "2020-01-02")]


@case("membership.history_clear")
def case_membership_history_clear(fn, w):
    fn(association_id=w.a.pk, membership_ids=_membership_ids(w))
    with scopes_disabled():
        a = Membership.objects.get(pk=w.a.membership_id)
        assert not a.terms.exists() and not a.transitions.exists()


@case("membership.history_memberships_update")
def case_membership_history_memberships_update(fn, w):
    fn(association_id=w.a.pk, rows=[("2020-01-01", "2020-01-01", "2020-12-31", "lapsed",
                                      "2021-01-31", timezone.now(), pk)
                                     for pk in _membership_ids(w)])
    with scopes_disabled():
        a = Membership.objects.get(pk=w.a.membership_id)
    assert (a.status, a.ends_on) == ("lapsed", date(2020, 12, 31))


@case("membership.roster_people")
def case_membership_roster_people(fn, w):
    fields = ["id", "first_name", "email_key", "custom"]
    rows = fn(association_id=w.a.pk, field="email_key", values=[*SAME_EMAILS.values(), B_ONLY_EMAIL],
              fields=fields[:-1])
    assert {r[0] for r in rows} == {w.a.people[k].pk for k in SAME_EMAILS}
    assert all(len(r) == 5 and not r[4] for r in rows)  # custom JSON text, then not erased
    rows = fn(association_id=w.a.pk, field="external_id", values=["X-ada", "X-zed"], fields=["id"])
    assert [r[0] for r in rows] == [w.a.people["ada"].pk]


@case("membership.roster_people_update")
def case_membership_roster_people_update(fn, w):
    fn(association_id=w.a.pk, fields=["first_name"],
       rows=[("Renamed", pk) for pk in both_ids(w, "ada")])
    with scopes_disabled():
        assert Person._base_manager.get(pk=w.a.people["ada"].pk).first_name == "Renamed"


@case("membership.organisation_ids")
def case_membership_organisation_ids(fn, w):
    assert fn(association_id=w.a.pk, name_keys=["acme corp", "zed corp"]) == [
        ("acme corp", w.a.organisation_id)]


@case("membership.relationship_pairs")
def case_membership_relationship_pairs(fn, w):
    got = fn(association_id=w.a.pk, kind=RelationshipKind.EMPLOYEE.value, person_ids=all_ids(w))
    assert set(got) == {(w.a.people[k].pk, w.a.organisation_id) for k in ("ada", "twin")}


@case("membership.memberships_of")
def case_membership_memberships_of(fn, w):
    rows = fn(association_id=w.a.pk, person_ids=all_ids(w))
    with scopes_disabled():
        mine = set(Membership.objects.filter(association_id=w.a.pk).values_list("id", flat=True))
    assert {r[1] for r in rows} == mine and len(mine) == 2
    assert all(date.fromisoformat(r[4]) for r in rows)


@case("membership.roster_memberships_update")
def case_membership_roster_memberships_update(fn, w):
    fn(association_id=w.a.pk, rows=[(date(2039, 1, 1), date(2039, 12, 31), "active", None, NOW, mid)
                                    for mid in (w.a.membership_id, w.b.membership_id)])
    with scopes_disabled():
        assert Membership.objects.get(pk=w.a.membership_id).ends_on == date(2039, 12, 31)


@case("membership.roster_transitions_withdraw")
def case_membership_roster_transitions_withdraw(fn, w):
    assert fn(association_id=w.a.pk, rows=[(mid, date(2039, 12, 31))
                                           for mid in (w.a.membership_id, w.b.membership_id)]) == 1
    with scopes_disabled():
        assert not Transition.objects.filter(association_id=w.a.pk, event="grace").exists()


@case("membership.last_transition_status")
def case_membership_last_transition_status(fn, w):
    got = fn(association_id=w.a.pk, membership_ids=[w.a.membership_id, w.b.membership_id])
    assert got[-1] == (w.a.membership_id, "grace") and {m for m, _ in got} == {w.a.membership_id}


@case("scoring.activity_items")
def case_scoring_activity_items(fn, w):
    rows = [r for chunk in fn(association_id=w.a.pk, now=NOW, lookback_days=365,
                              half_life_days=180, person_ids=all_ids(w)) for r in chunk]
    assert {r[0] for r in rows} == {w.a.people["ada"].pk} and sum(r[3] for r in rows) == 3
    rows = [r for chunk in fn(association_id=w.a.pk, now=NOW, lookback_days=365,
                              half_life_days=180) for r in chunk]
    assert {r[0] for r in rows} == {w.a.people["ada"].pk}


# ---------------------------------------------------------------- opportunities (reads only)

def _opp_rows(w) -> dict:
    """A's engagement rows for the matching reads (B's people exist; B holds none of these,
    so anything of B's in a result would be another association's person)."""
    from commonground.engagement.models import Contribution, MemberTrait, Trait
    from commonground.opportunities.models import Invitation, Opportunity

    with scopes_disabled():
        ada = w.a.people["ada"]
        skill = Trait.objects.create(association_id=w.a.pk, kind="skill", slug="s", name="S")
        MemberTrait.objects.create(association_id=w.a.pk, person=ada, trait=skill,
                                   source="member", strength=4, note="horse teeth")
        Contribution.objects.create(association_id=w.a.pk, person=ada, kind="talk", title="T",
                                    occurred_on=date(2025, 6, 1), status="verified",
                                    origin="staff")
        opp = Opportunity.objects.create(association_id=w.a.pk, type="speaker", title="O",
                                         status="open")
        Invitation.objects.create(association_id=w.a.pk, opportunity=opp, person=ada,
                                  status="invited", invited_at=NOW)
    return {"ada": ada.pk}


@case("opportunities.index_signature")
def case_opportunities_index_signature(fn, w):
    before = fn(association_id=w.a.pk)
    _opp_rows(w)
    after = fn(association_id=w.a.pk)
    assert after != before and after[0] == str(len(w.a.person_ids))


@case("opportunities.member_people")
def case_opportunities_member_people(fn, w):
    assert {r[0] for r in fn(association_id=w.a.pk)} == w.a.person_ids


@case("opportunities.member_traits")
def case_opportunities_member_traits(fn, w):
    ids = _opp_rows(w)
    assert [r[0] for r in fn(association_id=w.a.pk)] == [ids["ada"]]
    assert fn(association_id=w.b.pk) == []


@case("opportunities.member_texts")
def case_opportunities_member_texts(fn, w):
    ids = _opp_rows(w)
    assert sorted(fn(association_id=w.a.pk)) == [(ids["ada"], "T"), (ids["ada"], "horse teeth")]
    assert fn(association_id=w.b.pk) == []


@case("opportunities.contribution_counts")
def case_opportunities_contribution_counts(fn, w):
    ids = _opp_rows(w)
    assert [(r[0], r[1], r[2]) for r in fn(association_id=w.a.pk)] == [(ids["ada"], "talk", 1)]
    assert fn(association_id=w.b.pk) == []


@case("opportunities.invitation_load")
def case_opportunities_invitation_load(fn, w):
    ids = _opp_rows(w)
    since = NOW - timedelta(days=30)
    assert [tuple(int(v) for v in r) for r in fn(association_id=w.a.pk, since=since)] == [
        (ids["ada"], 1, 0)]
    assert fn(association_id=w.b.pk, since=since) == []


# ---------------------------------------------------------------- insight (reads only)

@case("insight.monthly_activity")
def case_insight_monthly_activity(fn, w):
    got = fn(association_id=w.a.pk, before=date(2026, 1, 1))
    assert set(got.get_column("person_id")) == {w.a.people["ada"].pk}
    assert got.get_column("n").sum() == 3


@case("insight.activity_windows")
def case_insight_activity_windows(fn, w):
    got = fn(association_id=w.a.pk, before=date(2026, 1, 1),
             starts={"n3": date(2025, 10, 1), "all": date(2000, 1, 1)})
    assert set(got.get_column("person_id")) == {w.a.people["ada"].pk}
    assert got.get_column("all").sum() == 3


@case("insight.person_terms")
def case_insight_person_terms(fn, w):
    got = fn(association_id=w.a.pk)
    with scopes_disabled():
        mine = set(Membership.objects.filter(association_id=w.a.pk).values_list("id", flat=True))
    assert set(got.get_column("membership_id")) == mine and len(mine) == 2


@case("insight.person_invoices")
def case_insight_person_invoices(fn, w):
    from commonground.membership.models import Invoice

    got = fn(association_id=w.a.pk)
    with scopes_disabled():
        mine = set(Invoice.objects.filter(association_id=w.a.pk).values_list("id", flat=True))
    assert set(got.get_column("invoice_id")) == mine


# ---------------------------------------------------------------- the tests

def test_every_sql_function_has_a_case():
    found = set(sql_functions())
    assert {"activity", "people", "membership"} <= {n.split(".")[0] for n in found}
    assert found - set(CASES) == set(), "add a case to tests/test_sql_tenancy.py"
    assert set(CASES) - found == set(), "a case for a function that no longer exists"


@pytest.mark.parametrize("name", sorted(sql_functions()))
def test_function_takes_the_association_as_a_required_keyword(name):
    param = inspect.signature(sql_functions()[name]).parameters.get("association_id")
    assert param is not None and param.kind is inspect.Parameter.KEYWORD_ONLY
    assert param.default is inspect.Parameter.empty


@pytest.mark.parametrize("name", sorted(sql_functions()))
def test_statement_for_one_association_leaves_the_other_untouched(world, name):
    before_b = snapshot(world.b.pk)
    assert sum(map(len, before_b.values())) > 20  # B really has rows of its own
    CASES[name](sql_functions()[name], world)
    assert snapshot(world.b.pk) == before_b


def test_bulk_insert_select_copies_only_the_associations_rows(world):
    """The roster's history rows come from ``core.bulk.insert_select``: bound too (the
    generic kernel's statements take the association like the apps' own)."""
    history = Person.history.model
    with scopes_disabled():
        before = history.objects.filter(association_id=world.a.pk).count()
    b_ids = sorted(world.b.person_ids)
    before_b = snapshot(world.b.pk)
    bulk.insert_select(history, bulk.history_columns(Person), Person,
                       {"history_date": timezone.now().isoformat(), "history_change_reason": "t",
                        "history_type": "~", "history_user_id": None}, b_ids,
                       association_id=world.a.pk)
    assert snapshot(world.b.pk) == before_b
    with scopes_disabled():
        assert history.objects.filter(association_id=world.a.pk).count() == before


def test_bulk_key_ids_reads_only_the_associations_rows(world):
    got = bulk.key_ids(Person, "email_key", [*SAME_EMAILS.values(), B_ONLY_EMAIL],
                       association_id=world.a.pk)
    assert sorted(pk for _, pk in got) == sorted(world.a.people[k].pk for k in SAME_EMAILS)


# What raw SQL looks like in Python; allowed only in the sql modules and the places below.
RAW = re.compile(r"\.execute\(|executemany\(|connection\.cursor\(|\bRawSQL\b|\.raw\(|\.extra\(")
ALLOWED = ("demo/", "bench/", "core/bulk/")


def test_no_raw_sql_outside_sql_modules():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith(ALLOWED) or "/migrations/" in rel or rel.endswith("/sql.py") \
                or "/sql/" in rel:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if RAW.search(line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == [], "move these statements into the app's sql module"


# kpis: the KPI catalogue's grouped pass over activities
@case("activity.period_groups")
def case_activity_period_groups(fn, w):
    with scopes_disabled():
        rows = Activity.objects.filter(association_id=w.a.pk)
        first = rows.order_by("occurred_at").first().occurred_at
        last = rows.order_by("-occurred_at").first().occurred_at
        own = rows.count()
    got = fn(association_id=w.a.pk, since=first, until=last + timedelta(seconds=1), cuts=[last])
    assert sum(g["n"] for g in got) == own
    assert sum(g["n"] for g in got if g["after0"]) >= 1


# services: an allocation's bases, one statement over the named participants
@case("collaboration.usage_counts")
def case_collaboration_usage_counts(fn, w):
    from commonground.activity.models import Source

    with scopes_disabled():
        slug = Source.objects.get(pk=w.a.source_id).slug
        own = Activity.objects.filter(association_id=w.a.pk).count()
    window = {"since": NOW - timedelta(days=60), "until": NOW + timedelta(days=1)}
    assert fn(association_id=w.a.pk, participant_ids=[w.a.pk], source_slug=slug, kinds=[],
              **window) == {w.a.pk: own}
    assert fn(association_id=w.a.pk, participant_ids=[w.a.pk], source_slug=slug,
              kinds=["open"], **window) == {w.a.pk: own}
    assert fn(association_id=w.a.pk, participant_ids=[w.a.pk], source_slug=slug,
              kinds=["click"], **window) == {}
    with pytest.raises(ValueError):
        fn(association_id=w.a.pk, participant_ids=[w.b.pk], source_slug=slug, kinds=[], **window)


@case("collaboration.member_counts")
def case_collaboration_member_counts(fn, w):
    from commonground.tenancy.clock import association_today

    got = fn(association_id=w.a.pk, participant_ids=[w.a.pk],
             on=association_today(w.a.association))
    assert got == {w.a.pk: 2}
