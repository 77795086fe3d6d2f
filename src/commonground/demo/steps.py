"""The seed's named steps, run in order by ``seed._seed`` over one shared ``Seeding`` state.

Every random draw comes from the state's one ``random.Random(seed)``, so the order of the
steps (and of the draws inside them) is part of the output: reordering them changes the
data for a given ``--seed``. Reference data goes through the services (small, audited as
usual); people, memberships and their histories are generated in memory and written in
bulk, parents first.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from faker import Faker

from commonground.core import bulk
from commonground.core.normalise import email_key, normalise_address, normalise_email, normalise_phone
from commonground.membership import services as membership_services
from commonground.membership.models import Invoice, Membership, Payment, Plan, Term, Transition
from commonground.people import services as people_services
from commonground.people.models import Organisation, Person, Relationship
from commonground.tenancy import services as tenancy_services
from commonground.tenancy.models import Association, AuditEntry

from . import catalogue
from .activity_seed import ActivitySeedResult, MemberFacts, seed_activity
from .history import Timeline, simulate
from .passwords import demo_password_hash
from .profiles import Profile, draw_profile

YEARS = 5
MONTH_WEIGHT = {1: 1.45, 2: 1.1, 3: 1.0, 4: 1.0, 5: 1.35, 6: 0.8, 7: 0.6, 8: 0.7, 9: 1.45,
                10: 1.2, 11: 0.9, 12: 0.55}  # January resolutions, May conference, September
METHODS = (("card_manual", 0.45), ("bank_transfer", 0.35), ("cheque", 0.15), ("cash", 0.05))
LABEL = {"join": "Membership", "renewal": "Renewal", "reinstatement": "Reinstatement",
         "notice": "Renewal"}
SECTORS = ("public", "voluntary", "private")
HISTORY_COLUMNS = ["history_date", "history_change_reason", "history_type", "history_user_id"]


def staff_email(slug: str, local: str) -> str:
    return f"{local}@{slug}.example.org"


class Tables:
    """The bulk tables the seed fills in memory, in the order they are written (parents first)."""

    def __init__(self) -> None:
        self.org = bulk.Table(Organisation, ["association_id", "name", "name_key", "sector", "website",
                                             "email", "phone", "city", "country", "created_at"])
        self.horg = bulk.Table(Organisation.history.model, [
            "id", "name", "name_key", "sector", "website", "email", "phone", "city", "country",
            "created_at", "association_id", *HISTORY_COLUMNS], id_column="history_id")
        self.person = bulk.Table(Person, [
            "association_id", "first_name", "last_name", "email", "email_key", "phone",
            "address_line1", "address_line2", "city", "region", "postal_code", "country",
            "chapter_id", "custom", "external_id", "user_id", "search_text", "created_at",
            "updated_at", "erased_at"])
        self.hperson = bulk.Table(Person.history.model, [
            "id", "first_name", "last_name", "email", "email_key", "phone", "address_line1",
            "address_line2", "city", "region", "postal_code", "country", "custom", "external_id",
            "created_at", "erased_at", "association_id", "chapter_id", "user_id", *HISTORY_COLUMNS],
            id_column="history_id")
        self.rel = bulk.Table(Relationship, ["association_id", "person_id", "organisation_id", "kind",
                                             "title", "starts_on", "ends_on"])
        self.mem = bulk.Table(Membership, ["association_id", "plan_id", "person_id", "organisation_id",
                                           "status", "joined_on", "starts_on", "ends_on", "lapsed_on",
                                           "cancelled_on", "created_at", "updated_at"])
        self.hmem = bulk.Table(Membership.history.model, [
            "id", "status", "joined_on", "starts_on", "ends_on", "lapsed_on", "cancelled_on",
            "created_at", "association_id", "plan_id", "person_id", "organisation_id",
            *HISTORY_COLUMNS], id_column="history_id")
        self.inv = bulk.Table(Invoice, ["association_id", "number", "person_id", "organisation_id",
                                        "membership_id", "billed_to", "description", "amount",
                                        "currency", "status", "issued_on", "due_on", "created_at"])
        self.term = bulk.Table(Term, ["association_id", "membership_id", "kind", "starts_on", "ends_on",
                                      "invoice_id", "created_at"])
        self.tr = bulk.Table(Transition, ["association_id", "membership_id", "from_status", "to_status",
                                          "event", "on", "actor_id", "note", "created_at"])
        self.pay = bulk.Table(Payment, ["association_id", "invoice_id", "kind", "method", "amount",
                                        "currency", "received_on", "reference", "actor_id",
                                        "created_at"])
        self.audit = bulk.Table(AuditEntry, ["association_id", "actor_id", "action", "object_type",
                                             "object_id", "data", "created_at"])

    def in_write_order(self) -> tuple[bulk.Table, ...]:
        return (self.org, self.horg, self.person, self.hperson, self.rel, self.mem, self.hmem,
                self.inv, self.term, self.tr, self.pay, self.audit)


class Pools:
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


@dataclass
class Seeding:
    """What the steps share: the inputs, the one random source, and what earlier steps made."""

    association: Association
    members: int
    seed: int
    today: date
    say: Callable[[str], None]
    activities_per_member: float
    rnd: random.Random
    # Made by the organisations step, not here: each table hands out ids from its current
    # maximum, and the reference steps before it write audit entries through the services.
    tables: Tables = field(init=False)
    pools: Pools | None = None
    chapter_of_state: dict[str, int] = field(default_factory=dict)
    n_chapters: int = 0
    plans: dict[str, Plan] = field(default_factory=dict)
    plan_taken: set[str] = field(default_factory=set)  # monthly / lifetime have a member
    staff: list[tuple[str, str]] = field(default_factory=list)  # (email, role name)
    n_orgs: int = 0
    org_ids: dict[str, list[int]] = field(default_factory=lambda: {s: [] for s in SECTORS})
    org_info: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id -> (name, sector, domain)
    employees: dict[int, list[int]] = field(default_factory=dict)  # organisation id -> person ids
    emails_seen: set[str] = field(default_factory=set)
    facts: MemberFacts = field(default_factory=MemberFacts)  # what the activity stream follows
    bill_refs: list[tuple[date, int]] = field(default_factory=list)  # (issued_on, invoice row index)
    truth_rows: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    activity: ActivitySeedResult | None = None
    member_email: str = ""
    truth_path: Path | None = None

    @property
    def aid(self) -> int:
        return self.association.pk

    def audit(self, action: str, object_type: str, object_id: int, data: dict, at: datetime) -> None:
        self.tables.audit.add(self.aid, None, action, object_type, object_id, data, at)


# ---- small generators


def _at(day: date, rnd: random.Random) -> datetime:
    """A working-hours moment on ``day`` (UTC), for created_at stamps."""
    return datetime.combine(day, dtime(rnd.randint(8, 18), rnd.randint(0, 59), rnd.randint(0, 59)),
                            tzinfo=UTC)


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


def _outcome(timeline: Timeline) -> dict:
    """The truth file's columns for how a membership went and the decision still ahead."""
    return {"status": timeline.status, "renewals": timeline.renewals, "lapses": timeline.lapses,
            "reinstatements": timeline.reinstatements,
            "next_renew_probability": round(timeline.next_renew_probability, 4),
            "next_renews": "" if timeline.next_renews is None else int(timeline.next_renews)}


# ---- the steps, in the order the seed runs them


def chapters(s: Seeding) -> None:
    """Chapters by region (8–12 of the catalogue's) and the association's custom fields."""
    s.n_chapters = s.rnd.randint(8, 12)
    for chapter_name, states in catalogue.CHAPTERS[:s.n_chapters]:
        chapter = people_services.chapter_create(association=s.association, name=chapter_name,
                                                 region=", ".join(states))
        for state in states:
            s.chapter_of_state[state] = chapter.pk
    for key, label, kind, choices, help_text in catalogue.CUSTOM_FIELDS:
        people_services.custom_field_define(association=s.association, key=key, label=label,
                                            kind=kind, choices=choices or None, help_text=help_text)


def plans(s: Seeding) -> None:
    """The membership plans and the priced offerings (events, courses, publications)."""
    for plan_slug, plan_name, kind, price, term, grace, description in catalogue.PLANS:
        s.plans[plan_slug] = membership_services.plan_save(
            association=s.association, name=plan_name, slug=plan_slug, kind=kind, price=price,
            grace_days=grace, term_months=term, description=description)
    for off_name, category, side, decision, member_price, non_member_price in catalogue.OFFERINGS:
        membership_services.offering_save(
            association=s.association, name=off_name, category=category, side=side,
            price_decision=decision, member_price=member_price, non_member_price=non_member_price)


def staff(s: Seeding) -> None:
    """One staff login per role, all with the demo password."""
    password_hash = demo_password_hash()
    User = get_user_model()
    for role_key, local, first, last, label in catalogue.STAFF:
        email = staff_email(s.association.slug, local)
        tenancy_services.staff_add(association=s.association, email=email, role_key=role_key)
        User.objects.filter(email__iexact=email).update(password=password_hash, first_name=first,
                                                        last_name=last)
        s.staff.append((email, label))
    s.say(f"reference data: {s.n_chapters} chapters, {len(s.plans)} plans, "
          f"{len(catalogue.OFFERINGS)} offerings, {len(s.staff)} staff")


def organisations(s: Seeding) -> None:
    """Employers and future organisational members, all three sectors, with unique names."""
    s.tables = Tables()
    rnd, t = s.rnd, s.tables
    pools = s.pools = Pools(s.seed, rnd, s.members)
    s.n_orgs = max(12, s.members // 15)
    sector_p = [catalogue.SECTOR_P[sector] for sector in SECTORS]
    used_names: set[str] = set()
    first_day = s.today - timedelta(days=365 * YEARS)
    for i in range(s.n_orgs):
        sector = SECTORS[i] if i < 3 else rnd.choices(SECTORS, weights=sector_p)[0]
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
        oid = t.org.add(s.aid, *values)
        t.horg.add(oid, *values[:-1], created, s.aid, created, None, "+", None)
        s.audit("organisation.created", "organisation", oid, {}, created)
        s.org_ids[sector].append(oid)
        s.org_info[oid] = (org_name, sector, domain)
    s.say(f"generated {s.n_orgs} organisations")


def _membership_write(s: Seeding, *, plan: Plan, person_id: int | None, org_id: int | None,
                      timeline: Timeline, joined_on: date, billed_to: str) -> int:
    """One membership with its history, invoices, payments, terms and transitions (and audit)."""
    rnd, t, aid = s.rnd, s.tables, s.aid
    joined_at = _at(joined_on, rnd)
    mid = t.mem.add(aid, plan.pk, person_id, org_id, timeline.status, joined_on,
                    timeline.starts_on, timeline.ends_on, timeline.lapsed_on,
                    timeline.cancelled_on, joined_at,
                    _at(max(d for *_, d in timeline.transitions), rnd))
    # History: the join, then one snapshot per state change made through a save.
    t.hmem.add(mid, "active", joined_on, joined_on, timeline.terms[0][2], None, None, joined_at,
               aid, plan.pk, person_id, org_id, joined_at, None, "+", None)
    bill_ids: dict[int, int] = {}
    for idx, b in enumerate(timeline.bills):
        issued_at = _at(b.issued_on, rnd)
        description = (f"{LABEL[b.kind]}: {plan.name}, {b.term_start:%d %b %Y} – "
                       f"{b.term_end:%d %b %Y}")
        inv_id = t.inv.add(aid, "", person_id, org_id, mid, billed_to, description, b.amount,
                           plan.currency, b.status, b.issued_on, b.issued_on + timedelta(days=30),
                           issued_at)
        s.bill_refs.append((b.issued_on, len(t.inv.rows) - 1))
        bill_ids[idx] = inv_id
        s.audit("invoice.issued", "invoice", inv_id,
                {"amount": str(b.amount), "currency": plan.currency}, issued_at)
        for kind, on in b.payments:
            method = _method(rnd, org_id is not None)
            reference = f"chq {rnd.randint(1000, 99999)}" if method == "cheque" else ""
            paid_at = _at(on, rnd)
            pay_id = t.pay.add(aid, inv_id, kind, method, b.amount, plan.currency, on, reference,
                               None, paid_at)
            if kind == "payment":
                s.audit("payment.recorded", "payment", pay_id,
                        {"invoice_id": inv_id, "amount": str(b.amount), "method": method}, paid_at)
            else:
                s.audit("payment.refunded", "payment", pay_id,
                        {"invoice_id": inv_id, "amount": str(b.amount)}, paid_at)
        if b.voided_on:
            s.audit("invoice.voided", "invoice", inv_id, {}, _at(b.voided_on, rnd))
    for kind, start, end, bill_idx in timeline.terms:
        t.term.add(aid, mid, kind, start, end, bill_ids.get(bill_idx) if bill_idx is not None else None,
                   _at(start if kind != "renewal" else min(start, s.today), rnd))
    later_terms = iter(timeline.terms[1:])
    current = timeline.terms[0][1:3]
    for from_s, to_s, event, on in timeline.transitions:
        at = _at(on, rnd)
        t.tr.add(aid, mid, from_s, to_s, event, on, None, "", at)
        s.audit(f"membership.{event}", "membership", mid,
                {"from": from_s, "to": to_s, "on": on.isoformat()}, at)
        if event in ("renewed", "reinstated", "cancelled"):
            if event != "cancelled":
                current = next(later_terms)[1:3]
            t.hmem.add(mid, to_s, joined_on, current[0], current[1], None,
                       on if event == "cancelled" else None, joined_at, aid, plan.pk, person_id,
                       org_id, at, None, "~", None)
    return mid


def _plan_for(s: Seeding, stage: str) -> str:
    """The plan a member of ``stage`` joins: their stage's annual plan, or now and then the
    monthly one (early and mid career) or the lifetime one (senior and retired)."""
    for stages, p, slug in ((catalogue.MONTHLY_STAGES, catalogue.MONTHLY_P, "monthly"),
                            (catalogue.LIFETIME_STAGES, catalogue.LIFETIME_P, "lifetime")):
        if stage in stages:
            first = slug not in s.plan_taken
            if first or s.rnd.random() < p:
                s.plan_taken.add(slug)
                return slug
    return catalogue.CAREER_PLAN[stage]


def people(s: Seeding) -> None:
    """Individual members: a hidden profile each, contact details, an employer, and the
    membership history the profile drives (with its invoices, payments and audit trail)."""
    rnd, t, aid, pools = s.rnd, s.tables, s.aid, s.pools
    assert pools is not None  # drawn by the organisations step
    join_days = _join_days(s.today, rnd, s.members)
    for i in range(s.members):
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
                    rnd.choices(SECTORS, weights=weights)[0]
            employer = rnd.choice(s.org_ids[sector])
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
        domain = s.org_info[employer][2] if employer and rnd.random() < 0.45 else \
            rnd.choice(catalogue.EMAIL_DOMAINS)
        candidate, n = f"{user_part}@{domain}", 2
        while candidate in s.emails_seen:
            candidate = f"{user_part}{n}@{domain}"
            n += 1
        s.emails_seen.add(candidate)
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
        chapter_id = s.chapter_of_state.get(state) if rnd.random() < 0.92 else None
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
        pid = t.person.add(aid, *values, Person.make_search_text(first, last, email), created_at,
                           created_at, None)
        t.hperson.add(pid, first, last, email, email_key(email), phone, *address, custom,
                      f"M{100000 + i}", created_at, None, aid, chapter_id, None,
                      created_at, None, "+", None)
        s.audit("person.created", "person", pid, {}, created_at)
        if employer:
            title = rnd.choice(catalogue.TITLES[profile.career_stage])
            t.rel.add(aid, pid, employer, "employee", title,
                      joined_on - timedelta(days=rnd.randint(30, 3000)), None)
            s.employees.setdefault(employer, []).append(pid)
        plan = s.plans[_plan_for(s, profile.career_stage)]
        employer_pays = bool(employer) and s.org_info[employer][1] == "private" and rnd.random() < 0.5
        timeline = simulate(profile=profile, joined_on=joined_on, today=s.today,
                            term_months=plan.term_months, grace_days=plan.grace,
                            window_days=plan.window_days, price=plan.price, rnd=rnd,
                            employer_pays=employer_pays)
        billed_to = ", ".join(p for p in (f"{first} {last}", address[0], address[2], "US") if p)
        mid = _membership_write(s, plan=plan, person_id=pid, org_id=None, timeline=timeline,
                                joined_on=joined_on, billed_to=billed_to)
        s.facts.add(person_id=pid, number=i, email=email, chapter_id=chapter_id, profile=profile,
                    joined_on=joined_on, timeline=timeline, grace_days=plan.grace)
        now_years = (s.today - joined_on).days / 365.25
        s.truth_rows.append({
            "person_id": pid, "membership_id": mid, "email": email, "kind": "person",
            "career_stage": profile.career_stage,
            "engagement_at_join": profile.engagement,
            "engagement_now": round(profile.engagement_at(now_years), 4),
            "engagement_level": Profile.level(profile.engagement_at(now_years)),
            "engagement_trend_per_year": profile.trend,
            **{f"motivation_{m}": w for m, w in profile.motivations.items()},
            "primary_motivation": profile.primary_motivation,
            "employer_sector": s.org_info[employer][1] if employer else "",
            "employer_pays": int(employer_pays),
            "plan": plan.slug, "joined_on": joined_on.isoformat(), **_outcome(timeline),
        })
        if (i + 1) % 20000 == 0:
            s.say(f"generated {i + 1} members")


def organisation_members(s: Seeding) -> None:
    """About a third of the organisations join on a tiered plan, with a primary contact."""
    rnd, t = s.rnd, s.tables
    tier_for = {"public": (0.75, 0.2, 0.05), "voluntary": (0.8, 0.17, 0.03),
                "private": (0.5, 0.35, 0.15)}
    all_orgs = [oid for sector in SECTORS for oid in s.org_ids[sector]]
    org_members = [oid for k, oid in enumerate(all_orgs) if k == 0 or rnd.random() < 0.33]
    org_join = _join_days(s.today, rnd, len(org_members))
    rnd.shuffle(org_join)
    for oid, joined_on in zip(org_members, org_join, strict=True):
        org_name, sector, _domain = s.org_info[oid]
        plan = s.plans[rnd.choices(("org-bronze", "org-silver", "org-gold"),
                                   weights=tier_for[sector])[0]]
        profile = draw_profile(rnd, stage="senior")
        timeline = simulate(profile=profile, joined_on=joined_on, today=s.today,
                            term_months=plan.term_months, grace_days=plan.grace,
                            window_days=plan.window_days, price=plan.price, rnd=rnd)
        mid = _membership_write(s, plan=plan, person_id=None, org_id=oid, timeline=timeline,
                                joined_on=joined_on, billed_to=f"{org_name}, US")
        contacts = s.employees.get(oid, [])
        if contacts:
            t.rel.add(s.aid, rnd.choice(contacts), oid, "primary_contact", "Membership contact",
                      joined_on, None)
        s.truth_rows.append({"person_id": "", "membership_id": mid, "email": "",
                             "kind": "organisation", "organisation_id": oid,
                             "engagement_at_join": profile.engagement, "plan": plan.slug,
                             "joined_on": joined_on.isoformat(), **_outcome(timeline)})


def invoice_numbers(s: Seeding) -> None:
    """Number the invoices by issue date within each year, as the service numbers them."""
    t = s.tables
    s.bill_refs.sort()
    seq: dict[int, int] = {}
    for issued_on, row_index in s.bill_refs:
        seq[issued_on.year] = seq.get(issued_on.year, 0) + 1
        row = t.inv.rows[row_index]
        t.inv.rows[row_index] = (row[0], row[1], f"{issued_on.year}-{seq[issued_on.year]:06d}",
                                 *row[3:])
    s.say(f"generated {len(t.mem)} memberships, {len(t.inv)} invoices, {len(t.audit)} audit entries")


def write(s: Seeding) -> None:
    """Write the generated tables in bulk, parents first."""
    for table in s.tables.in_write_order():
        db_table, t0 = table.db_table, time.perf_counter()
        s.counts[db_table] = bulk.write(table)
        s.say(f"wrote {s.counts[db_table]:>8} {db_table} in {time.perf_counter() - t0:.1f}s")


def activity(s: Seeding) -> None:
    """Two years of activity from every feed, following the same hidden profiles."""
    if s.activities_per_member <= 0:
        return
    assert s.pools is not None
    s.activity = seed_activity(association=s.association, facts=s.facts, seed=s.seed, today=s.today,
                               per_member=s.activities_per_member, first_names=s.pools.first,
                               last_names=s.pools.last, emails_seen=s.emails_seen, say=s.say)
    s.counts["activity_activity"] = s.activity.activities
    s.counts["activity_identity"] = s.activity.identities
    s.truth_rows.extend(s.activity.truth_rows)


def portal_member(s: Seeding) -> None:
    """A member with a portal login: the first active individual member."""
    first_active = next((r for r in s.truth_rows if r["kind"] == "person" and r["status"] == "active"),
                        None)
    if first_active is None:
        return
    User = get_user_model()
    s.member_email = first_active["email"]
    user = User.objects.filter(email__iexact=s.member_email).first()
    if user is None:
        user = User.objects.create_user(username=s.member_email[:150], email=s.member_email)
    User.objects.filter(pk=user.pk).update(password=demo_password_hash())
    EmailAddress.objects.update_or_create(user=user, email=s.member_email,
                                          defaults={"verified": True, "primary": True})
    Person.objects.filter(pk=first_active["person_id"]).update(user=user)


def lifecycle(s: Seeding) -> None:
    """Run the daily lifecycle advance (which must find nothing to do: statuses came from the
    same date rules) and refresh each person's copy of their current membership."""
    moved = membership_services.memberships_advance(association=s.association, today=s.today)
    if moved:
        s.say(f"lifecycle advance adjusted {moved}")
    membership_services.member_summary_refresh(association=s.association)
