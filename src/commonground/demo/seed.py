"""Seed a realistic association: reference data through services, history in bulk.

Deterministic: everything random comes from ``random.Random(seed)`` and a Faker seeded
with ``seed``. Dates are laid out relative to ``today`` (the real current date unless
given), so the same seed on the same day gives identical rows, and on another day the
same people with the same history shifted to end on that day.
"""

from __future__ import annotations

import bisect
import csv
import functools
import itertools
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope
from faker import Faker

from commonground.core import bulk
from commonground.core.errors import Conflict
from commonground.core.normalise import email_key, normalise_address, normalise_email, normalise_phone
from commonground.membership import services as membership_services
from commonground.membership.models import (
    Invoice,
    Membership,
    Payment,
    Plan,
    Term,
    Transition,
)
from commonground.people import services as people_services
from commonground.people.models import Organisation, Person, Relationship
from commonground.tenancy import services as tenancy_services
from commonground.tenancy.models import Association, AuditEntry

from . import catalogue
from .activity_seed import MemberFacts, seed_activity
from .history import Timeline, simulate
from .profiles import Profile, draw_profile

YEARS = 5
MONTH_WEIGHT = {1: 1.45, 2: 1.1, 3: 1.0, 4: 1.0, 5: 1.35, 6: 0.8, 7: 0.6, 8: 0.7, 9: 1.45,
                10: 1.2, 11: 0.9, 12: 0.55}  # January resolutions, May conference, September
METHODS = (("card_manual", 0.45), ("bank_transfer", 0.35), ("cheque", 0.15), ("cash", 0.05))
LABEL = {"join": "Membership", "renewal": "Renewal", "reinstatement": "Reinstatement",
         "notice": "Renewal"}


@dataclass
class SeedResult:
    association: Association
    members: int
    organisations: int
    counts: dict[str, int]
    seconds: float
    truth_path: Path
    password: str
    staff: list[tuple[str, str]] = field(default_factory=list)  # (email, role name)
    member_email: str = ""
    activities: int = 0
    activity_seconds: float = 0.0


@functools.lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    # One hash for every demo login: hashing is deliberately slow (about a second).
    return make_password(catalogue.DEMO_PASSWORD)


def staff_email(slug: str, local: str) -> str:
    return f"{local}@{slug}.example.org"


def truth_path(slug: str) -> Path:
    return Path(settings.DATA_DIR) / "seed" / f"{slug}-truth.csv"


def _at(day: date, rnd: random.Random) -> datetime:
    """A working-hours moment on ``day`` (UTC), for created_at stamps."""
    return datetime.combine(day, dtime(rnd.randint(8, 18), rnd.randint(0, 59), rnd.randint(0, 59)),
                            tzinfo=UTC)


class _Pools:
    """Names, streets and places drawn once from a seeded Faker, then sampled cheaply."""

    def __init__(self, seed: int, rnd: random.Random, members: int) -> None:
        fake = Faker("en_US")
        fake.seed_instance(seed)
        # Draws with repetition keep Faker's name frequencies (Smith is common).
        # Pool sizes grow with the seed so small seeds (tests) stay quick.
        size = min(3000, 200 + 3 * members)
        self.first = [fake.first_name() for _ in range(size)]
        self.last = [fake.last_name() for _ in range(size)]
        self.streets = [fake.street_name() for _ in range(size // 2)]
        self.companies = [fake.company() for _ in range(size // 2)]
        states = list(catalogue.STATE_WEIGHTS)
        self.places: dict[str, list[tuple[str, str]]] = {}
        for state in states:
            found: list[tuple[str, str]] = []
            for _ in range(min(12, 2 + members // 400)):
                city, postal = fake.city(), fake.zipcode_in_state(state)
                try:
                    normalise_address({"address_line1": "1 Main St", "city": city, "region": state,
                                       "postal_code": postal, "country": "US"})
                except Exception:  # noqa: BLE001 - a combination the rules refuse: skip it
                    continue
                found.append((city, postal))
            self.places[state] = found or [("Springfield", "")]
        self.states = states
        self.state_cum = list(itertools.accumulate(catalogue.STATE_WEIGHTS[s] for s in states))
        self.rnd = rnd

    def state(self) -> str:
        return self.states[bisect.bisect(self.state_cum, self.rnd.random() * self.state_cum[-1])]


def _join_days(today: date, rnd: random.Random, n: int) -> list[date]:
    """Join dates over five years: growing about 8 % a year, seasonal, fewer on weekends."""
    first = today - timedelta(days=365 * YEARS)
    days = [first + timedelta(days=i) for i in range((today - first).days)]
    weights = []
    for d in days:
        growth = 1.0 + 0.08 * (d - first).days / 365
        weights.append(MONTH_WEIGHT[d.month] * growth * (0.45 if d.weekday() >= 5 else 1.0))
    cum = list(itertools.accumulate(weights))
    return sorted(days[bisect.bisect(cum, rnd.random() * cum[-1])] for _ in range(n))


def _method(rnd: random.Random, organisational: bool) -> str:
    if organisational:
        return "bank_transfer" if rnd.random() < 0.8 else "cheque"
    roll, acc = rnd.random(), 0.0
    for name, p in METHODS:
        acc += p
        if roll < acc:
            return name
    return METHODS[-1][0]


def seed_association(*, slug: str, members: int, seed: int, name: str | None = None,
                     today: date | None = None, reset: bool = False,
                     activities_per_member: float = 100.0,
                     progress: Callable[[str], None] | None = None) -> SeedResult:
    """Create association ``slug`` with ``members`` individual members and five years of history,
    plus two years of activity from every feed (about ``activities_per_member`` each; 0: none).

    Refuses (Conflict) when the association exists, unless ``reset`` drops it first.
    """
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    if members < 1:
        raise Conflict("--members must be at least 1")
    today = today or timezone.localdate()
    with transaction.atomic():
        existing = Association.objects.filter(slug=slug).first()
        if existing is not None:
            if not reset:
                raise Conflict(f"Association {slug!r} already exists; use --reset to drop and "
                               "recreate its data")
            counts = tenancy_services.association_purge(association_id=existing.pk)
            say(f"dropped {slug}: {sum(counts.values())} rows")
        association = tenancy_services.association_create(
            slug=slug, name=name or slug.replace("-", " ").title(), country="US", currency="USD")
        with scope(association=association):
            result = _seed(association, members=members, seed=seed, today=today, say=say,
                           activities_per_member=activities_per_member)
    # Fresh planner statistics: without them SQLite picks the (association, …) indexes over
    # person_id for a bulk-loaded table (a 100,000-row scan per lookup).
    bulk.analyze()
    result.seconds = time.perf_counter() - started
    return result


def _seed(association: Association, *, members: int, seed: int, today: date,
          say: Callable[[str], None], activities_per_member: float = 100.0) -> SeedResult:
    rnd = random.Random(seed)
    slug = association.slug
    window = association.renewal_window_days

    # ---- reference data, through the services (small, and audited as usual)
    n_chapters = rnd.randint(8, 12)
    chapter_of_state: dict[str, int] = {}
    for chapter_name, states in catalogue.CHAPTERS[:n_chapters]:
        chapter = people_services.chapter_create(association=association, name=chapter_name,
                                                 region=", ".join(states))
        for state in states:
            chapter_of_state[state] = chapter.pk
    for key, label, kind, choices, help_text in catalogue.CUSTOM_FIELDS:
        people_services.custom_field_define(association=association, key=key, label=label, kind=kind,
                                            choices=choices or None, help_text=help_text)
    plans: dict[str, Plan] = {}
    for plan_slug, plan_name, kind, price, grace, description in catalogue.PLANS:
        plans[plan_slug] = membership_services.plan_save(
            association=association, name=plan_name, slug=plan_slug, kind=kind, price=price,
            grace_days=grace, term_months=12, description=description)
    for off_name, category, side, decision, member_price, non_member_price in catalogue.OFFERINGS:
        membership_services.offering_save(
            association=association, name=off_name, category=category, side=side,
            price_decision=decision, member_price=member_price, non_member_price=non_member_price)
    password_hash = _demo_password_hash()
    staff: list[tuple[str, str]] = []
    User = get_user_model()
    for role_key, local, first, last, label in catalogue.STAFF:
        email = staff_email(slug, local)
        tenancy_services.staff_add(association=association, email=email, role_key=role_key)
        User.objects.filter(email__iexact=email).update(password=password_hash, first_name=first,
                                                        last_name=last)
        staff.append((email, label))
    say(f"reference data: {n_chapters} chapters, {len(plans)} plans, "
        f"{len(catalogue.OFFERINGS)} offerings, {len(staff)} staff")

    # ---- people, organisations and their histories, generated in memory
    pools = _Pools(seed, rnd, members)
    aid = association.pk
    t_org = bulk.Table(Organisation, ["association_id", "name", "name_key", "sector", "website",
                                      "email", "phone", "city", "country", "created_at"])
    t_person = bulk.Table(Person, [
        "association_id", "first_name", "last_name", "email", "email_key", "phone",
        "address_line1", "address_line2", "city", "region", "postal_code", "country", "chapter_id",
        "custom", "external_id", "user_id", "search_text", "created_at", "updated_at", "erased_at"])
    t_rel = bulk.Table(Relationship, ["association_id", "person_id", "organisation_id", "kind",
                                      "title", "starts_on", "ends_on"])
    t_mem = bulk.Table(Membership, ["association_id", "plan_id", "person_id", "organisation_id",
                                    "status", "joined_on", "starts_on", "ends_on", "lapsed_on",
                                    "cancelled_on", "created_at", "updated_at"])
    t_term = bulk.Table(Term, ["association_id", "membership_id", "kind", "starts_on", "ends_on",
                               "invoice_id", "created_at"])
    t_tr = bulk.Table(Transition, ["association_id", "membership_id", "from_status", "to_status",
                                   "event", "on", "actor_id", "note", "created_at"])
    t_inv = bulk.Table(Invoice, ["association_id", "number", "person_id", "organisation_id",
                                 "membership_id", "billed_to", "description", "amount", "currency",
                                 "status", "issued_on", "due_on", "created_at"])
    t_pay = bulk.Table(Payment, ["association_id", "invoice_id", "kind", "method", "amount",
                                 "currency", "received_on", "reference", "actor_id", "created_at"])
    t_audit = bulk.Table(AuditEntry, ["association_id", "actor_id", "action", "object_type",
                                      "object_id", "data", "created_at"])
    hist_cols = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    h_person_cols = ["id", "first_name", "last_name", "email", "email_key", "phone",
                     "address_line1", "address_line2", "city", "region", "postal_code", "country",
                     "custom", "external_id", "created_at", "erased_at", "association_id",
                     "chapter_id", "user_id"]
    t_hperson = bulk.Table(Person.history.model, h_person_cols + hist_cols, id_column="history_id")
    h_org_cols = ["id", "name", "name_key", "sector", "website", "email", "phone", "city", "country",
                  "created_at", "association_id"]
    t_horg = bulk.Table(Organisation.history.model, h_org_cols + hist_cols, id_column="history_id")
    h_mem_cols = ["id", "status", "joined_on", "starts_on", "ends_on", "lapsed_on", "cancelled_on",
                  "created_at", "association_id", "plan_id", "person_id", "organisation_id"]
    t_hmem = bulk.Table(Membership.history.model, h_mem_cols + hist_cols, id_column="history_id")

    def audit(action: str, object_type: str, object_id: int, data: dict, at: datetime) -> None:
        t_audit.add(aid, None, action, object_type, object_id, data, at)

    # Organisations: employers and organisational members, all three sectors.
    n_orgs = max(12, members // 15)
    sectors = ["public", "voluntary", "private"]
    sector_p = [catalogue.SECTOR_P[s] for s in sectors]
    org_ids: dict[str, list[int]] = {s: [] for s in sectors}
    org_info: dict[int, tuple[str, str, str]] = {}  # id -> (name, sector, domain)
    used_names: set[str] = set()
    first_day = today - timedelta(days=365 * YEARS)
    for i in range(n_orgs):
        sector = sectors[i] if i < 3 else rnd.choices(sectors, weights=sector_p)[0]
        state = pools.state()
        city = rnd.choice(pools.places[state])[0]
        prefixes, suffixes = catalogue.ORG_PARTS[sector]
        if sector == "private" and rnd.random() < 0.6:
            base = rnd.choice(pools.companies)
        elif sector == "public" and rnd.random() < 0.6:
            base = f"{city} {rnd.choice(suffixes)}"
        else:
            base = f"{rnd.choice(prefixes)} {rnd.choice(suffixes)}"
        org_name = base
        n = 2
        while org_name.lower() in used_names:
            org_name = f"{base} ({city})" if n == 2 else f"{base} {n}"
            n += 1
        used_names.add(org_name.lower())
        domain = (re.sub(r"[^a-z0-9]+", "", org_name.lower())[:40] or "org") + ".example.com"
        created = _at(first_day - timedelta(days=rnd.randint(0, 400)), rnd)
        phone = ""
        if rnd.random() < 0.7:
            phone = _phone(rnd, state)
        values = (org_name, org_name.lower(), sector, f"https://www.{domain}", f"info@{domain}",
                  phone, city, "US", created)
        oid = t_org.add(aid, *values)
        t_horg.add(oid, *values[:-1], created, aid, created, None, "+", None)
        audit("organisation.created", "organisation", oid, {}, created)
        org_ids[sector].append(oid)
        org_info[oid] = (org_name, sector, domain)
    say(f"generated {n_orgs} organisations")

    emails_seen: set[str] = set()
    truth_rows: list[dict] = []
    join_days = _join_days(today, rnd, members)
    employees: dict[int, list[int]] = {}
    facts = MemberFacts()  # the hidden profiles and timelines the activity stream follows
    bill_refs: list[tuple] = []  # (issued_on, table row index) for numbering by date
    plan_by_id = {p.pk: p for p in plans.values()}

    def write_membership(*, plan: Plan, person_id: int | None, org_id: int | None,
                         timeline: Timeline, joined_on: date, billed_to: str) -> int:
        joined_at = _at(joined_on, rnd)
        mid = t_mem.add(aid, plan.pk, person_id, org_id, timeline.status, joined_on,
                        timeline.starts_on, timeline.ends_on, timeline.lapsed_on,
                        timeline.cancelled_on, joined_at,
                        _at(max(d for *_, d in timeline.transitions), rnd))
        # History: the join, then one snapshot per state change made through a save.
        t_hmem.add(mid, "active", joined_on, joined_on, timeline.terms[0][2], None, None, joined_at,
                   aid, plan.pk, person_id, org_id, joined_at, None, "+", None)
        bill_ids: dict[int, int] = {}
        for idx, b in enumerate(timeline.bills):
            issued_at = _at(b.issued_on, rnd)
            description = (f"{LABEL[b.kind]}: {plan.name}, {b.term_start:%d %b %Y} – "
                           f"{b.term_end:%d %b %Y}")
            inv_id = t_inv.add(aid, "", person_id, org_id, mid, billed_to, description, b.amount,
                               plan.currency, b.status, b.issued_on, b.issued_on + timedelta(days=30),
                               issued_at)
            bill_refs.append((b.issued_on, len(t_inv.rows) - 1))
            bill_ids[idx] = inv_id
            audit("invoice.issued", "invoice", inv_id,
                  {"amount": str(b.amount), "currency": plan.currency}, issued_at)
            for kind, on in b.payments:
                method = _method(rnd, org_id is not None)
                reference = f"chq {rnd.randint(1000, 99999)}" if method == "cheque" else ""
                paid_at = _at(on, rnd)
                pay_id = t_pay.add(aid, inv_id, kind, method, b.amount, plan.currency, on, reference,
                                   None, paid_at)
                if kind == "payment":
                    audit("payment.recorded", "payment", pay_id,
                          {"invoice_id": inv_id, "amount": str(b.amount), "method": method}, paid_at)
                else:
                    audit("payment.refunded", "payment", pay_id,
                          {"invoice_id": inv_id, "amount": str(b.amount)}, paid_at)
            if b.voided_on:
                audit("invoice.voided", "invoice", inv_id, {}, _at(b.voided_on, rnd))
        for kind, s, e, bill_idx in timeline.terms:
            t_term.add(aid, mid, kind, s, e, bill_ids.get(bill_idx) if bill_idx is not None else None,
                       _at(s if kind != "renewal" else min(s, today), rnd))
        later_terms = iter(timeline.terms[1:])
        current = timeline.terms[0][1:3]
        for from_s, to_s, event, on in timeline.transitions:
            at = _at(on, rnd)
            t_tr.add(aid, mid, from_s, to_s, event, on, None, "", at)
            audit(f"membership.{event}", "membership", mid,
                  {"from": from_s, "to": to_s, "on": on.isoformat()}, at)
            if event in ("renewed", "reinstated", "cancelled"):
                if event != "cancelled":
                    current = next(later_terms)[1:3]
                t_hmem.add(mid, to_s, joined_on, current[0], current[1], None,
                           on if event == "cancelled" else None, joined_at, aid, plan.pk, person_id,
                           org_id, at, None, "~", None)
        return mid

    for i in range(members):
        profile = draw_profile(rnd)
        first, last = rnd.choice(pools.first), rnd.choice(pools.last)
        state = pools.state()
        city, postal = rnd.choice(pools.places[state])
        joined_on = join_days[i]
        # Employer: business developers work in the private sector; students at universities.
        employer = None
        if (profile.career_stage != "retired" or rnd.random() < 0.2) and rnd.random() < 0.85:
            bd = profile.motivations["business_development"]
            weights = [0.25, 0.2 + 0.3 * profile.motivations["giving_back"], 0.55 + bd]
            sector = "public" if profile.career_stage == "student" and rnd.random() < 0.7 else \
                    rnd.choices(sectors, weights=weights)[0]
            employer = rnd.choice(org_ids[sector])
        local = re.sub(r"[^a-z]", "", first.lower()), re.sub(r"[^a-z]", "", last.lower())
        pattern = rnd.random()
        if pattern < 0.5:
            user_part = f"{local[0]}.{local[1]}"
        elif pattern < 0.7:
            user_part = f"{local[0][0]}{local[1]}"
        elif pattern < 0.85:
            user_part = f"{local[0]}{local[1]}{rnd.randint(1, 99)}"
        else:
            user_part = f"{local[0]}_{local[1]}"
        domain = org_info[employer][2] if employer and rnd.random() < 0.45 else \
            rnd.choice(catalogue.EMAIL_DOMAINS)
        candidate, n = f"{user_part}@{domain}", 2
        while candidate in emails_seen:
            candidate = f"{user_part}{n}@{domain}"
            n += 1
        emails_seen.add(candidate)
        email = normalise_email(candidate)
        phone = _phone(rnd, state) if rnd.random() < 0.85 else ""
        roll = rnd.random()
        if roll < 0.75:
            address = (f"{rnd.randint(1, 9899)} {rnd.choice(pools.streets)}",
                       f"Suite {rnd.randint(100, 990)}" if rnd.random() < 0.1 else "",
                       city, state, postal, "US")
        elif roll < 0.9:
            address = ("", "", city, state, "", "US")
        else:
            address = ("", "", "", "", "", "")
        chapter_id = chapter_of_state.get(state) if rnd.random() < 0.92 else None
        years_exp = {"student": 0, "early_career": rnd.randint(1, 5), "mid_career": rnd.randint(6, 15),
                     "senior": rnd.randint(15, 35), "retired": rnd.randint(25, 45)}[profile.career_stage]
        custom = {
            "specialty": catalogue.SPECIALTIES[
                (catalogue.MOTIVATIONS.index(profile.primary_motivation) + rnd.randint(0, 2))
                % len(catalogue.SPECIALTIES)],
            "years_experience": str(years_exp),
            "heard_about": rnd.choice(catalogue.HEARD_ABOUT),
        }
        if rnd.random() < 0.6:
            custom["newsletter"] = rnd.random() < 0.5 + 0.4 * profile.engagement
        created_at = _at(joined_on - timedelta(days=rnd.choice((0, 0, 0, 3, 14, 45, 120))), rnd)
        values = (first, last, email, email_key(email), phone, *address, chapter_id, custom,
                  f"M{100000 + i}", None)
        pid = t_person.add(aid, *values, Person.make_search_text(first, last, email), created_at,
                           created_at, None)
        t_hperson.add(pid, first, last, email, email_key(email), phone, *address, custom,
                      f"M{100000 + i}", created_at, None, aid, chapter_id, None,
                      created_at, None, "+", None)
        audit("person.created", "person", pid, {}, created_at)
        if employer:
            title = rnd.choice(catalogue.TITLES[profile.career_stage])
            t_rel.add(aid, pid, employer, "employee", title,
                      joined_on - timedelta(days=rnd.randint(30, 3000)), None)
            employees.setdefault(employer, []).append(pid)
        plan = plans[catalogue.CAREER_PLAN[profile.career_stage]]
        employer_pays = bool(employer) and org_info[employer][1] == "private" and rnd.random() < 0.5
        timeline = simulate(profile=profile, joined_on=joined_on, today=today,
                            term_months=plan.term_months, grace_days=plan.grace_days,
                            window_days=window, price=plan.price, rnd=rnd,
                            employer_pays=employer_pays)
        billed_to = ", ".join(p for p in (f"{first} {last}", address[0], address[2], "US") if p)
        mid = write_membership(plan=plan, person_id=pid, org_id=None, timeline=timeline,
                               joined_on=joined_on, billed_to=billed_to)
        facts.add(person_id=pid, number=i, email=email, chapter_id=chapter_id, profile=profile,
                  joined_on=joined_on, timeline=timeline, grace_days=plan.grace_days)
        now_years = (today - joined_on).days / 365.25
        truth_rows.append({
            "person_id": pid, "membership_id": mid, "email": email, "kind": "person",
            "career_stage": profile.career_stage,
            "engagement_at_join": profile.engagement,
            "engagement_now": round(profile.engagement_at(now_years), 4),
            "engagement_level": Profile.level(profile.engagement_at(now_years)),
            "engagement_trend_per_year": profile.trend,
            **{f"motivation_{m}": w for m, w in profile.motivations.items()},
            "primary_motivation": profile.primary_motivation,
            "employer_sector": org_info[employer][1] if employer else "",
            "employer_pays": int(employer_pays),
            "plan": plan.slug, "joined_on": joined_on.isoformat(), "status": timeline.status,
            "renewals": timeline.renewals, "lapses": timeline.lapses,
            "reinstatements": timeline.reinstatements,
            "next_renew_probability": round(timeline.next_renew_probability, 4),
            "next_renews": "" if timeline.next_renews is None else int(timeline.next_renews),
        })
        if (i + 1) % 20000 == 0:
            say(f"generated {i + 1} members")

    # Organisational members: about a third of the organisations, with a primary contact.
    tier_for = {"public": (0.75, 0.2, 0.05), "voluntary": (0.8, 0.17, 0.03),
                "private": (0.5, 0.35, 0.15)}
    all_orgs = [oid for s in sectors for oid in org_ids[s]]
    org_members = [oid for k, oid in enumerate(all_orgs) if k == 0 or rnd.random() < 0.33]
    org_join = _join_days(today, rnd, len(org_members))
    rnd.shuffle(org_join)
    for oid, joined_on in zip(org_members, org_join, strict=True):
        org_name, sector, _domain = org_info[oid]
        plan = plans[rnd.choices(("org-bronze", "org-silver", "org-gold"), weights=tier_for[sector])[0]]
        profile = draw_profile(rnd, stage="senior")
        timeline = simulate(profile=profile, joined_on=joined_on, today=today,
                            term_months=plan.term_months, grace_days=plan.grace_days,
                            window_days=window, price=plan.price, rnd=rnd)
        mid = write_membership(plan=plan, person_id=None, org_id=oid, timeline=timeline,
                               joined_on=joined_on, billed_to=f"{org_name}, US")
        contacts = employees.get(oid, [])
        if contacts:
            t_rel.add(aid, rnd.choice(contacts), oid, "primary_contact", "Membership contact",
                      joined_on, None)
        truth_rows.append({"person_id": "", "membership_id": mid, "email": "", "kind": "organisation",
                           "organisation_id": oid, "engagement_at_join": profile.engagement,
                           "plan": plan.slug, "joined_on": joined_on.isoformat(),
                           "status": timeline.status, "renewals": timeline.renewals,
                           "lapses": timeline.lapses, "reinstatements": timeline.reinstatements,
                           "next_renew_probability": round(timeline.next_renew_probability, 4),
                           "next_renews": "" if timeline.next_renews is None
                           else int(timeline.next_renews)})

    # Invoice numbers follow issue dates within each year, as the service numbers them.
    bill_refs.sort()
    seq: dict[int, int] = {}
    for issued_on, row_index in bill_refs:
        seq[issued_on.year] = seq.get(issued_on.year, 0) + 1
        row = t_inv.rows[row_index]
        t_inv.rows[row_index] = (row[0], row[1], f"{issued_on.year}-{seq[issued_on.year]:06d}",
                                 *row[3:])
    say(f"generated {len(t_mem)} memberships, {len(t_inv)} invoices, {len(t_audit)} audit entries")

    # ---- write, parents first
    counts: dict[str, int] = {}
    for table in (t_org, t_horg, t_person, t_hperson, t_rel, t_mem, t_hmem, t_inv, t_term, t_tr,
                  t_pay, t_audit):
        db_table, t0 = table.db_table, time.perf_counter()
        counts[db_table] = bulk.write(table)
        say(f"wrote {counts[db_table]:>8} {db_table} in {time.perf_counter() - t0:.1f}s")

    # ---- two years of activity from every feed, following the same hidden profiles
    activity = None
    if activities_per_member > 0:
        activity = seed_activity(association=association, facts=facts, seed=seed, today=today,
                                 per_member=activities_per_member, first_names=pools.first,
                                 last_names=pools.last, emails_seen=emails_seen, say=say)
        counts["activity_activity"] = activity.activities
        counts["activity_identity"] = activity.identities
        truth_rows.extend(activity.truth_rows)

    # ---- a member with a portal login: the first active individual member
    member_email = ""
    first_active = next((r for r in truth_rows if r["kind"] == "person" and r["status"] == "active"),
                        None)
    if first_active is not None:
        member_email = first_active["email"]
        user = User.objects.filter(email__iexact=member_email).first()
        if user is None:
            user = User.objects.create_user(username=member_email[:150], email=member_email)
        User.objects.filter(pk=user.pk).update(password=password_hash)
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(user=user, email=member_email,
                                              defaults={"verified": True, "primary": True})
        Person.objects.filter(pk=first_active["person_id"]).update(user=user)

    # Statuses were computed from the same date rules; the daily run must find nothing to do.
    moved = membership_services.memberships_advance(association=association, today=today)
    if moved:
        say(f"lifecycle advance adjusted {moved}")
    # Each person carries a copy of their current membership for the member list.
    membership_services.member_summary_refresh(association=association)
    path = _write_truth(association, truth_rows, seed=seed, today=today, members=members,
                        plan_by_id=plan_by_id)
    return SeedResult(association=association, members=members, organisations=n_orgs, counts=counts,
                      seconds=0.0, truth_path=path, password=catalogue.DEMO_PASSWORD, staff=staff,
                      member_email=member_email, activities=activity.activities if activity else 0,
                      activity_seconds=activity.seconds if activity else 0.0)


def _phone(rnd: random.Random, state: str) -> str:
    area = rnd.choice(catalogue.AREA_CODES.get(state, (212,)))
    for _ in range(5):
        exchange = rnd.randint(201, 989)
        if exchange % 100 == 11:
            continue
        try:
            return normalise_phone(f"+1{area}{exchange}{rnd.randint(0, 9999):04d}")
        except Exception:  # noqa: BLE001 - try another number
            continue
    return ""


def _write_truth(association: Association, rows: list[dict], *, seed: int, today: date, members: int,
                 plan_by_id: dict) -> Path:
    """Ground truth for evaluating models: outside the product tables, never shown in the UI."""
    path = truth_path(association.slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    meta = {"association": association.slug, "seed": seed, "today": today.isoformat(),
            "members": members, "years": YEARS, "rows": len(rows),
            "note": "Hidden per-member profiles (engagement, motivations, career stage) that drove "
                    "the simulated renewals and lapses; next_renews is the drawn outcome of the "
                    "decision still ahead on 'today'. Prospect rows (kind=prospect) carry the "
                    "hidden interest that drove their activity. Not product data.",
            "plans": {p.slug: str(p.price) for p in plan_by_id.values()},
            "written_at": datetime.now(UTC).isoformat(timespec="seconds")}
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    return path


def seeded(slug: str) -> bool:
    return Association.objects.filter(slug=slug).exists()


def slug_for_bench(members: int, seed: int) -> str:
    return slugify(f"bench-{members}-s{seed}")


__all__ = ["SeedResult", "seed_association", "staff_email", "truth_path", "slug_for_bench", "seeded"]
