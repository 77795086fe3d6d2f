"""Import benchmark: generate a roster and import it (rows per second).

Generates a realistic CSV export (names, unique emails, US phones in the usual
formats, employers, chapters, partial and full addresses, a custom field, plan, join
date and expiry over five years) into a temporary directory, imports it into a fresh
association (a new slug per run) in the configured database, then imports the same file
again (which must change nothing). Then the same rows the first import wrote (people,
memberships, terms, transitions, histories, audit entries …) are bare-loaded into scratch
tables with the same indexes (``bench.ceiling``). Prints ``import_rows_per_s=<int>``, then
the ceiling's ``import_ceiling_rows_per_s=<int>``, and last ``import_vs_ceiling=<ratio>``.
"""

from __future__ import annotations

import csv
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from django.db import connection
from django_scopes import scope
from faker.providers.company.en_US import Provider as Company
from faker.providers.person.en_US import Provider as PersonNames

from commonground.membership.roster.engine import run_batch
from commonground.membership.roster.services import import_prepare
from commonground.membership.services import plan_save
from commonground.people.services import custom_field_define
from commonground.tenancy.services import association_create

from . import ceiling

CITIES = [  # (city, state, first three zip digits)
    ("San Francisco", "CA", "941"), ("Los Angeles", "CA", "900"), ("New York", "NY", "100"),
    ("Brooklyn", "NY", "112"), ("Chicago", "IL", "606"), ("Houston", "TX", "770"),
    ("Austin", "TX", "787"), ("Boston", "MA", "021"), ("Seattle", "WA", "981"),
    ("Denver", "CO", "802"), ("Atlanta", "GA", "303"), ("Miami", "FL", "331"),
    ("Phoenix", "AZ", "850"), ("Portland", "OR", "972"), ("Minneapolis", "MN", "554"),
    ("Philadelphia", "PA", "191"), ("Detroit", "MI", "482"), ("Baltimore", "MD", "212"),
    ("Nashville", "TN", "372"), ("Columbus", "OH", "432"), ("Madison", "WI", "537"),
    ("Raleigh", "NC", "276"), ("Salt Lake City", "UT", "841"), ("St. Louis", "MO", "631"),
]
AREA_CODES = ["415", "213", "212", "718", "312", "713", "512", "617", "206", "303", "404",
              "305", "602", "503", "612", "215", "313", "410", "615", "614", "608", "919",
              "801", "314"]
STREETS = ["Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Pine",
           "Church", "High", "Market", "Mill", "Spring", "River", "Sunset", "Highland"]
SUFFIXES = ["St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Way", "Ct"]
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com",
           "protonmail.com", "comcast.net"]
CHAPTERS = ["Bay Area", "Southern California", "New York Metro", "Chicagoland", "Texas",
            "New England", "Pacific Northwest", "Rocky Mountain", "Southeast", "Florida",
            "Southwest", "Great Lakes", "Mid-Atlantic", "Upper Midwest", "Carolinas"]
SPECIALTIES = ["Research", "Policy", "Practice", "Education", "Industry"]
PLANS = [("Regular", 12, "150.00"), ("Student", 12, "40.00"), ("Retired", 12, "60.00")]
HEADER = ["Contact ID", "First Name", "Last Name", "Email", "Phone", "Organization", "Chapter",
          "Street Address", "City", "State", "Zip", "Country", "Membership Level", "Member Since",
          "Expiration Date", "Specialty"]


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="Keep the generated file")


def generate(path: Path, members: int, *, seed: int = 1) -> None:
    """Write a roster CSV of ``members`` rows (vectorised with numpy)."""
    rng = np.random.default_rng(seed)
    firsts = np.array(list(PersonNames.first_names))
    lasts = np.array(list(PersonNames.last_names))
    n = members
    first = firsts[rng.integers(0, len(firsts), n)]
    last = lasts[rng.integers(0, len(lasts), n)]
    domain = np.array(DOMAINS)[rng.integers(0, len(DOMAINS), n)]
    suffixes = list(Company.company_suffixes)
    org_pool = [f"{lasts[i]} {suffixes[i % len(suffixes)]}" for i in
                rng.integers(0, len(lasts), 3000)]
    org_pick = rng.integers(0, len(org_pool), n)
    has_org = rng.random(n) < 0.6
    has_phone = rng.random(n) < 0.7
    area = np.array(AREA_CODES)[rng.integers(0, len(AREA_CODES), n)]
    exchange = rng.integers(201, 999, n)
    line = rng.integers(0, 10000, n)
    phone_style = rng.integers(0, 3, n)
    city_pick = rng.integers(0, len(CITIES), n)
    zip_tail = rng.integers(0, 100, n)
    has_street = rng.random(n) < 0.5
    has_city = rng.random(n) < 0.85
    street_no = rng.integers(1, 9999, n)
    street = rng.integers(0, len(STREETS), n)
    suffix = rng.integers(0, len(SUFFIXES), n)
    chapter = rng.integers(0, len(CHAPTERS), n)
    has_chapter = rng.random(n) < 0.7
    plan = rng.choice(len(PLANS), n, p=[0.6, 0.25, 0.15])
    has_plan = rng.random(n) < 0.9
    today = date.today()
    join_days = rng.integers(0, 5 * 365, n)
    years = rng.integers(1, 6, n)
    specialty = rng.integers(0, len(SPECIALTIES), n)
    has_specialty = rng.random(n) < 0.5
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(n):
            f, la = str(first[i]), str(last[i])
            if has_phone[i]:
                a, x, ln = area[i], exchange[i], line[i]
                if exchange[i] in (555, 911) or exchange[i] % 100 == 11:
                    x = 234
                phone = (f"({a}) {x}-{ln:04d}", f"{a}-{x}-{ln:04d}", f"+1 {a} {x} {ln:04d}"
                         )[phone_style[i]]
            else:
                phone = ""
            city, state, zip3 = CITIES[city_pick[i]]
            joined = today - timedelta(days=int(join_days[i]))
            expires = date(min(joined.year + int(years[i]), 9999), joined.month, 1) \
                - timedelta(days=1)
            if expires < joined:
                expires = joined + timedelta(days=364)
            writer.writerow([
                f"C{100000 + i}", f, la, f"{f.lower()}.{la.lower()}.{i}@{domain[i]}", phone,
                org_pool[org_pick[i]] if has_org[i] else "",
                CHAPTERS[chapter[i]] if has_chapter[i] else "",
                f"{street_no[i]} {STREETS[street[i]]} {SUFFIXES[suffix[i]]}"
                if has_street[i] and has_city[i] else "",
                city if has_city[i] else "", state if has_city[i] else "",
                f"{zip3}{zip_tail[i]:02d}" if has_city[i] else "", "US" if has_city[i] else "",
                PLANS[plan[i]][0] if has_plan[i] else "",
                f"{joined.month}/{joined.day}/{joined.year}" if has_plan[i] else "",
                f"{expires.month}/{expires.day}/{expires.year}" if has_plan[i] else "",
                SPECIALTIES[specialty[i]] if has_specialty[i] else "",
            ])


def setup_association():
    slug = f"bench-import-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 100000}"
    association = association_create(slug=slug, name=f"Import bench {slug}", country="US",
                                      currency="USD")
    with scope(association=association):
        for name, months, price in PLANS:
            plan_save(association=association, name=name, price=price, term_months=months)
        custom_field_define(association=association, key="specialty", label="Specialty",
                            kind="choice", choices=SPECIALTIES)
    return association


def timed_import(association, path: Path) -> tuple[float, object]:
    started = time.perf_counter()
    with scope(association=association):
        batch, _ = import_prepare(association=association, path=path)
    batch = run_batch(batch_id=batch.pk)
    return time.perf_counter() - started, batch


def run(*, stdout, members: int, seed: int = 1, keep: bool = False, **_) -> None:
    with tempfile.TemporaryDirectory(prefix="cg-bench-import-") as tmp:
        path = Path(tmp) / "roster.csv"
        t0 = time.perf_counter()
        generate(path, members, seed=seed)
        stdout.write(f"generated {members} rows in {time.perf_counter() - t0:.1f} s "
                     f"({path.stat().st_size / 1e6:.1f} MB)")
        association = setup_association()
        stdout.write(f"database: {connection.vendor}; association: {association.slug}")
        marks = ceiling.snapshot()
        elapsed, batch = timed_import(association, path)
        written = ceiling.snapshot()  # the first run's rows: the ceiling loads just these
        stdout.write(f"import: {batch.rows_done} rows in {elapsed:.2f} s — created {batch.created}, "
                     f"updated {batch.updated}, rejected {batch.rejected}, memberships "
                     f"{batch.memberships_created}")
        first_rate = int(batch.rows_done / elapsed) if elapsed else 0
        again, rerun = timed_import(association, path)
        stdout.write(f"re-import (no changes): {rerun.rows_done} rows in {again:.2f} s — created "
                     f"{rerun.created}, updated {rerun.updated}, unchanged {rerun.unchanged}")
        stdout.write(f"reimport_rows_per_s={int(rerun.rows_done / again) if again else 0}")
        # After both timed runs (see ceiling.bare_load): the first import's rows, bare.
        bare = ceiling.bare_load(marks, written)
        if keep:
            kept = Path(tempfile.gettempdir()) / "cg-bench-roster.csv"
            kept.write_bytes(path.read_bytes())
            stdout.write(f"kept the roster at {kept}")
        stdout.write(f"import_rows_per_s={first_rate}")
        stdout.write(bare.describe())
        bare_rate = int(batch.rows_done / bare.seconds) if bare.seconds else 0
        stdout.write(f"import_ceiling_rows_per_s={bare_rate}")
        stdout.write(f"import_vs_ceiling={ceiling.ratio(elapsed, bare)}")
