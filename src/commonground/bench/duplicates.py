"""Duplicates benchmark: find candidate pairs among N imported people (seconds).

Generates the import benchmark's roster, plants duplicates in 1% of rows (a Gmail
address with dots/+tag, the same name and postal code, a misspelt name in the same
postal code, the same phone), imports it into a fresh association and times the finder
uncached. Reports how many planted pairs it found. The last line is
``duplicates_s=<seconds>``.
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

from django.db import connection
from django_scopes import scope

from commonground.bench.roster import generate, setup_association, timed_import
from commonground.people.duplicates import find_candidates
from commonground.people.models import Person


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)


def _plant(path: Path, every: int = 100) -> int:
    """Append a twin for every ``every``-th row; returns how many were planted."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    twins = []
    for n, row in enumerate(body[::every]):
        twin = list(row)
        twin[col["Contact ID"]] = f"D{n}"
        local, _, domain = row[col["Email"]].partition("@")
        kind = n % 4
        if kind == 0:  # the same Gmail mailbox written differently
            twin[col["Email"]] = f"{local.replace('.', '')}+club@gmail.com"
            row[col["Email"]] = f"{local}@gmail.com"
        elif kind == 1:  # same name and postal code, another address
            twin[col["Email"]] = f"{local}.work@example.org"
        elif kind == 2:  # a typo in the first name
            first = row[col["First Name"]]
            twin[col["First Name"]] = first[:-2] + first[-1] if len(first) > 3 else first + "e"
            twin[col["Email"]] = f"twin{n}@example.org"
        else:  # same phone, nickname
            twin[col["First Name"]] = row[col["First Name"]][:3]
            twin[col["Email"]] = f"twin{n}@example.org"
        if kind in (1, 2) and not row[col["Zip"]]:
            row[col["Zip"]], row[col["City"]], row[col["State"]] = "94103", "San Francisco", "CA"
            row[col["Country"]] = "US"
            twin[col["Zip"]], twin[col["City"]], twin[col["State"]] = "94103", "San Francisco", "CA"
            twin[col["Country"]] = "US"
        if kind == 3 and not row[col["Phone"]]:
            row[col["Phone"]] = twin[col["Phone"]] = f"(415) 234-{n % 10000:04d}"
        twins.append(twin)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(body)
        writer.writerows(twins)
    return len(twins)


def run(*, stdout, members: int, seed: int = 1, **_) -> None:
    with tempfile.TemporaryDirectory(prefix="cg-bench-dups-") as tmp:
        path = Path(tmp) / "roster.csv"
        generate(path, members, seed=seed)
        planted = _plant(path)
        association = setup_association()
        elapsed, batch = timed_import(association, path)
        stdout.write(f"database: {connection.vendor}; imported {batch.created} people "
                     f"({planted} planted twins) in {elapsed:.1f} s")
    with scope(association=association):
        started = time.perf_counter()
        found = find_candidates(association)
        seconds = time.perf_counter() - started
        ids = dict(Person.objects.filter(external_id__regex=r"^[CD]")
                   .values_list("external_id", "id"))
    # Twin "D<n>" copies row n × 100, whose id is "C<100000 + n × 100>".
    truth = {tuple(sorted((pk, ids.get(f"C{100000 + int(ext[1:]) * 100}", 0))))
             for ext, pk in ids.items() if ext.startswith("D")}
    hits = truth & {(c.a, c.b) for c in found}
    stdout.write(f"candidates: {len(found)}; planted pairs found: {len(hits)} of {len(truth)}; "
                 f"scores >= 80: {sum(1 for c in found if c.score >= 80)}")
    stdout.write(f"duplicates_s={seconds:.2f}")
